// node child/pipeline.mjs <traced|untraced> <sqs messages> <kinesis records>
// Runs fixtures/pipeline/<variant>.yaml on the local runtime (emulators, mappings, function
// processes, collector), warms every function up, then times a producer invocation that sends
// the messages until the consumer's mapping has processed the last of them: first through the
// queue, then through the stream. Prints one JSON line.
//
// To profile, run it as `PIPELINE_CPU_PROFILE_DIR=<dir> node --cpu-prof --cpu-prof-dir=<dir>
// child/pipeline.mjs …`: the runtime's own process is profiled by --cpu-prof, each function's
// by the fixtures' cpu-profile.cjs preload; each pass's `windowUs` says which samples are its.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { startLocalRuntime } from '../../packages/local/dist/runtime/local-runtime.js';

const BENCH = join(import.meta.dirname, '..');
const [variant, sqsArg, kinesisArg] = process.argv.slice(2);
const counts = { sqs: Number(sqsArg), kinesis: Number(kinesisArg) };
// Enough for several batches of each consumer, so that they run compiled code when measured.
const WARM_UP_MESSAGES = { sqs: 200, kinesis: 500 };
const CONSUMERS = { sqs: 'SqsConsumerFunction', kinesis: 'KinesisConsumerFunction' };
// A run far slower than this is a broken pipeline, not a slow one.
const SETTLE_TIMEOUT_MS = 60_000;
const SETTLE_CHECK_MS = 2;
// /proc/<pid>/stat counts CPU time in clock ticks, 100 per second on Linux (USER_HZ).
const MS_PER_TICK = 10;

const profileDir = process.env.PIPELINE_CPU_PROFILE_DIR;
const profiling =
  profileDir === undefined
    ? undefined
    : {
        NODE_OPTIONS: `--require ${join(BENCH, 'fixtures', 'pipeline', 'cpu-profile.cjs')}`,
        CPU_PROFILE_DIR: profileDir,
      };

const warnings = [];
const runtime = await startLocalRuntime({
  templatePath: join(BENCH, 'fixtures', 'pipeline', `${variant}.yaml`),
  collectorPort: 0,
  xrayPort: null,
  buildDir: join(BENCH, '.build', `pipeline-${variant}`),
  functionLogs: { write: (line) => process.stderr.write(line) },
  logger: { info: () => undefined, warn: (message) => warnings.push(message) },
  // Lambda waits a second after an empty GetRecords; a consumer that catches up with the
  // producer would then measure that wait, not its throughput.
  polling: { kinesisPollIntervalMs: 10 },
  functionEnvironment: profiling,
});

// Wall time of every invocation, by function, as the pollers wait for it: how much of a pass
// the consumer spends in its function rather than in the emulators and the poll loop.
const invokedMs = {};
const invoke = runtime.functions.invoke.bind(runtime.functions);
runtime.functions.invoke = async (name, event) => {
  const started = performance.now();
  try {
    return await invoke(name, event);
  } finally {
    invokedMs[name] = (invokedMs[name] ?? 0) + performance.now() - started;
  }
};

function processed(kind) {
  const stat = runtime.mappings.stats().mappings.find((mapping) => mapping.kind === kind);
  return {
    succeeded: stat?.succeeded ?? 0,
    batches: stat?.batches ?? 0,
    failed: stat?.failed ?? 0,
  };
}

async function settled(kind, target) {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (processed(kind).succeeded < target) {
    if (Date.now() > deadline) {
      throw new Error(
        `${kind}: ${processed(kind).succeeded} of ${target} processed; ${warnings.join(' | ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_CHECK_MS));
  }
}

// User and system CPU time, in milliseconds, of a process or thread, from its /proc stat file.
function statCpuMs(path) {
  const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

// CPU time so far, in milliseconds, of this process (emulators, pollers, collector, and V8's
// garbage collector and compiler threads), of its main thread alone (the one the emulators,
// pollers and collector share), and of each function's process (by logical id). Read from
// /proc: Linux only; elsewhere, the process's own figure only.
function cpuMs() {
  const { user, system } = process.cpuUsage();
  const result = { runtime: (user + system) / 1000 };
  try {
    result.runtimeMainThread = statCpuMs(`/proc/${process.pid}/task/${process.pid}/stat`);
    const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8');
    for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
      // A function's process runs `node … runtime.mjs <build dir>/<LogicalId>/<file> <export>`.
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const name = args
        .map((arg) => basename(dirname(arg)))
        .find((dir) => dir.endsWith('Function'));
      if (name === undefined) continue;
      result[name] = statCpuMs(`/proc/${pid}/stat`);
    }
  } catch {
    // No /proc: the runtime's own figure still stands.
  }
  return result;
}

function cpuSince(before) {
  const now = cpuMs();
  return Object.fromEntries(
    Object.entries(now).map(([name, ms]) => [name, ms - (before[name] ?? 0)]),
  );
}

// CLOCK_MONOTONIC in microseconds: the clock of a .cpuprofile's sample times, in every process.
function monotonicUs() {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Sends `count` messages through `kind` and waits until all are processed. */
async function pass(kind, count, runId) {
  const before = processed(kind);
  const spansBefore = runtime.collector.store.stats().spansReceived;
  const cpuBefore = cpuMs();
  const invokedBefore = { ...invokedMs };
  const windowStartUs = monotonicUs();
  const started = performance.now();
  const produced = await runtime.functions.invoke('ProducerFunction', {
    target: kind,
    count,
    runId,
  });
  if (produced.status !== 'ok') throw new Error(`producer: ${JSON.stringify(produced)}`);
  const sentMs = performance.now() - started;
  await settled(kind, before.succeeded + count);
  const elapsedMs = performance.now() - started;
  const after = processed(kind);
  const cpu = cpuSince(cpuBefore);
  const consumer = CONSUMERS[kind];
  const batches = after.batches - before.batches;
  const perThousand = (ms) => (ms === undefined ? NaN : (ms * 1000) / count);
  return {
    messagesPerSecond: count / (elapsedMs / 1000),
    elapsedMs,
    producerMs: sentMs,
    batches,
    failed: after.failed - before.failed,
    spansPerMessage: (runtime.collector.store.stats().spansReceived - spansBefore) / count,
    consumerInvocationMs: (invokedMs[consumer] - (invokedBefore[consumer] ?? 0)) / batches,
    cpuMsPerThousand: {
      runtime: perThousand(cpu.runtime),
      producer: perThousand(cpu.ProducerFunction),
      consumer: perThousand(cpu[consumer]),
    },
    // The share of the pass the runtime's main thread (emulators, pollers, collector) was busy:
    // the process's figure would count V8's own threads too, and could pass 100 %.
    runtimeBusy: (cpu.runtimeMainThread ?? cpu.runtime) / elapsedMs,
    windowUs: [windowStartUs, monotonicUs()],
  };
}

try {
  const warmSqs = await pass('sqs', WARM_UP_MESSAGES.sqs, 'warm-sqs');
  const warmKinesis = await pass('kinesis', WARM_UP_MESSAGES.kinesis, 'warm-kinesis');
  const sqs = { ...(await pass('sqs', counts.sqs, 'sqs')), warmUpBatches: warmSqs.batches };
  const kinesis = {
    ...(await pass('kinesis', counts.kinesis, 'kinesis')),
    warmUpBatches: warmKinesis.batches,
  };
  process.stdout.write(`${JSON.stringify({ variant, sqs, kinesis, warnings })}\n`);
} finally {
  await runtime.close();
}
