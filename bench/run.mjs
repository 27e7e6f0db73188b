// npm run bench [-- --quick] [-- --only pipeline,ingest]: tracebridge against no tracing, the
// official stack wired by hand and an ADOT-like set-up, measured side by side and interleaved;
// writes BENCHMARKS.md. With --only, runs the named sections and prints their tables instead.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUILD_DIR, bundle, FIXTURES } from './lib/build.mjs';
import { runChild } from './lib/child.mjs';
import { lambdaEnv } from './lib/lambda.mjs';
import { startReceiver } from './lib/receiver.mjs';
import { loadNow, reportSections, SECTIONS, writeReport } from './lib/report.mjs';
import { summary } from './lib/stats.mjs';

const BENCH = import.meta.dirname;
const USAGE = `Usage: npm run bench [-- --quick] [-- --only SECTIONS]

Measures tracebridge against no tracing, the official OpenTelemetry stack wired by hand and an
ADOT-like set-up, interleaved, and writes BENCHMARKS.md (about 4.5 minutes on 2 cores).

  --quick          3 runs per figure and fewer repetitions, for a fast look (still writes)
  --only SECTIONS  run only these sections and print their tables; BENCHMARKS.md is left alone.
                   SECTIONS is a comma-separated list of: ${SECTIONS.join(', ')}
  --help           print this and exit
`;
const KNOWN_FLAGS = new Set(['--quick', '--only', '--help', '-h']);
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const unknownFlag = args.find(
  (arg, index) => !KNOWN_FLAGS.has(arg) && args[index - 1] !== '--only',
);
if (unknownFlag !== undefined) {
  process.stderr.write(`Unknown argument ${unknownFlag}\n\n${USAGE}`);
  process.exit(2);
}
const quick = args.includes('--quick');
const onlyIndex = args.indexOf('--only');
const only = onlyIndex === -1 ? undefined : (args[onlyIndex + 1] ?? '').split(',');
const unknown = (only ?? []).filter((name) => !SECTIONS.includes(name));
if (only?.length === 0 || unknown.length > 0) {
  throw new Error(`--only takes a comma-separated list of ${SECTIONS.join(', ')}`);
}
const wanted = (section) => only === undefined || only.includes(section);
// Runs per figure: the issue asks for medians over at least 10 (3 for a quick look).
const RUNS = quick ? 3 : 10;
const PROFILE = {
  // Untimed batches, then the timed "early" ones: a function environment's first invocations.
  consumerWarmUp: { 10: 200, 1000: 3 },
  consumerBatches: { 10: quick ? 200 : 1_000, 1000: quick ? 3 : 20 },
  // Untimed batches after those, then timed ones, for the steady state: 100,000 messages in all
  // before it in a whole run.
  consumerSteady: {
    10: { warmUp: quick ? 2_000 : 8_800, batches: quick ? 200 : 1_000 },
    1000: { warmUp: quick ? 20 : 77, batches: quick ? 3 : 20 },
  },
  flushReps: quick ? 10 : 50,
  // Untimed 10-span flushes before the steady-state ones, in each Lambda-like flush process.
  flushSteadyWarmUp: quick ? 200 : 1_000,
  // Timed 10-span flushes after that warm-up.
  flushSteadyReps: 50,
  producerCalls: quick ? 500 : 2_000,
  pipeline: { sqsMessages: quick ? 500 : 1_000, kinesisRecords: quick ? 1_000 : 2_000 },
  ingest: { spans: quick ? 10_000 : 20_000, sizes: [100, 512], clients: 4 },
};

function log(message) {
  process.stderr.write(`${message}\n`);
}

/** Runs `step(variant, run)` RUNS times over `variants`, interleaved: A B C A B C … */
async function interleaved(variants, step) {
  const samples = Object.fromEntries(variants.map((variant) => [variant, []]));
  for (let run = 0; run < RUNS; run += 1) {
    for (const variant of variants) {
      // A child that fails is run once more, and the failure is logged, never hidden.
      const sample = await step(variant, run).catch((error) => {
        log(`run ${run} of ${variant} failed, running it again: ${String(error)}`);
        return step(variant, run);
      });
      samples[variant].push(sample);
    }
  }
  return samples;
}

function summarize(samples, pick) {
  return Object.fromEntries(
    Object.entries(samples).map(([variant, runs]) => [variant, summary(runs.map(pick))]),
  );
}

/** Runs every child of `children` (variant → the child's arguments) RUNS times, interleaved. */
function childReports(children, options) {
  return interleaved(Object.keys(children), async (variant) => {
    const { report } = await runChild(children[variant], options);
    return report;
  });
}

/** The summaries of `variants` only. */
function pick(stats, variants) {
  return Object.fromEntries(variants.map((variant) => [variant, stats[variant]]));
}

async function bundles() {
  log('bundling');
  const result = {};
  for (const name of ['none', 'tracebridge', 'official', 'adot', 'raw-post']) {
    result[name] = await bundle(name);
  }
  return result;
}

async function coldStarts(built, receiver) {
  const paths = {
    none: built.none.path,
    tracebridge: built.tracebridge.path,
    official: built.official.path,
    adot: built.adot.path,
    adotUnbundled: join(FIXTURES, 'adot.mjs'),
    raw: built['raw-post'].path,
  };
  const coldArgs = (variant) => [join(BENCH, 'child', 'cold.mjs'), paths[variant]];
  const coldChild = async (variant, env) => {
    const before = receiver.counts.requests;
    const run = await runChild(coldArgs(variant), {
      env: { ...lambdaEnv(receiver.endpoint), ...env },
      cwd: BENCH,
    });
    return { ...run, exports: receiver.counts.requests - before };
  };
  // The raw POST's body is as large as tracebridge's export of the same invocation.
  const rawBodyBytes = await bytesOfOneExport(receiver, coldArgs('tracebridge'));
  const rawEnv = { BENCH_RAW_BODY_BYTES: String(rawBodyBytes) };
  log(`cold start: ${RUNS} runs × ${Object.keys(paths).length} variants`);
  const samples = await interleaved(Object.keys(paths), async (variant) => {
    const { spawnedAt, exitedAt, report, exports } = await coldChild(
      variant,
      variant === 'raw' ? rawEnv : {},
    );
    return {
      coldMs: report.invocationEndEpochMs - spawnedAt,
      processMs: exitedAt - spawnedAt,
      maxRssMb: report.maxRssKb / 1024,
      importMs: report.importMs,
      invokeMs: report.invokeMs,
      exports,
    };
  });
  return {
    rawBodyBytes,
    coldMs: summarize(samples, (s) => s.coldMs),
    processMs: summarize(samples, (s) => s.processMs),
    maxRssMb: summarize(samples, (s) => s.maxRssMb),
    importMs: summarize(samples, (s) => s.importMs),
    invokeMs: summarize(samples, (s) => s.invokeMs),
    exported: Object.fromEntries(
      Object.entries(samples).map(([variant, runs]) => [variant, runs.every((s) => s.exports > 0)]),
    ),
  };
}

async function consumerCost() {
  const result = {};
  for (const batchSize of [10, 1000]) {
    log(`consumer cost, batches of ${batchSize}: ${RUNS} runs × 3 variants`);
    const counts = [
      batchSize,
      PROFILE.consumerWarmUp[batchSize],
      PROFILE.consumerBatches[batchSize],
      PROFILE.consumerSteady[batchSize].warmUp,
      PROFILE.consumerSteady[batchSize].batches,
    ];
    const child = (variant) => [
      join(BENCH, 'child', 'consumer-cost.mjs'),
      variant,
      ...counts.map(String),
    ];
    const samples = await childReports(
      { none: child('none'), tracebridge: child('tracebridge'), official: child('official') },
      { cwd: BENCH },
    );
    result[batchSize] = {
      early: summarize(samples, (s) => s.usPerMessage),
      steady: summarize(samples, (s) => s.steadyUsPerMessage),
    };
  }
  return result;
}

/** The flush child's arguments, in the order `child/flush.mjs` reads them. */
function flushChildArgs(variant, kind, reps, steadyWarmUp, steadyReps, rawBodyBytes) {
  const counts = [reps, steadyWarmUp, steadyReps, rawBodyBytes];
  return [join(BENCH, 'child', 'flush.mjs'), variant, kind, ...counts.map(String)];
}

async function flushes(receiver) {
  // tracebridge's first export of 10 spans.
  const exportBytes = await bytesOfOneExport(
    receiver,
    flushChildArgs('tracebridge', 'bare', 0, 0, 0, 0),
  );
  log(`flush: ${RUNS} runs × 5 variants`);
  // Lambda's runtime has loaded node:http before the handler; a bare process has not, and only
  // its first flush is timed (the warm ones do not depend on it). "raw" is a hand-written
  // node:net POST of the same size: the floor any exporter stands on.
  const { flushReps, flushSteadyWarmUp, flushSteadyReps } = PROFILE;
  const lambda = (variant) =>
    flushChildArgs(variant, 'lambda', flushReps, flushSteadyWarmUp, flushSteadyReps, exportBytes);
  const bare = (variant) => flushChildArgs(variant, 'bare', 0, 0, 0, exportBytes);
  const samples = await childReports(
    {
      tracebridge: lambda('tracebridge'),
      official: lambda('official'),
      raw: lambda('raw'),
      tracebridgeBare: bare('tracebridge'),
      officialBare: bare('official'),
    },
    { env: lambdaEnv(receiver.endpoint), cwd: BENCH },
  );
  const lambdaVariants = ['tracebridge', 'official', 'raw'];
  const first = summarize(samples, (s) => s.firstMs);
  return {
    exportBytes,
    firstMs: pick(first, lambdaVariants),
    firstBareMs: { tracebridge: first.tracebridgeBare, official: first.officialBare },
    warm10Ms: pick(
      summarize(samples, (s) => s.warm10Ms),
      lambdaVariants,
    ),
    warm100Ms: pick(
      summarize(samples, (s) => s.warm100Ms),
      ['tracebridge', 'official'],
    ),
    steady10Ms: pick(
      summarize(samples, (s) => s.steady10Ms),
      lambdaVariants,
    ),
  };
}

/**
 * The bytes of the one export a child (`args`) sends, as the receiver counts them: the size of the
 * raw POST's body that stands in for it.
 */
async function bytesOfOneExport(receiver, args) {
  const before = { ...receiver.counts };
  await runChild(args, { env: lambdaEnv(receiver.endpoint), cwd: BENCH });
  if (receiver.counts.requests !== before.requests + 1) {
    throw new Error(`${args.join(' ')} sent other than one export`);
  }
  return receiver.counts.bytes - before.bytes;
}

async function producerCost() {
  log(`producer cost: ${RUNS} runs × 6 variants`);
  const child = (file, name) => [join(BENCH, 'child', file), name, String(PROFILE.producerCalls)];
  const samples = await childReports(
    {
      esmNone: child('producer.mjs', 'none'),
      esmCarriers: child('producer.mjs', 'carriers'),
      tracebridge: child('producer.mjs', 'tracebridge'),
      cjsNone: child('producer-aws-sdk.cjs', 'none'),
      cjsCarriers: child('producer-aws-sdk.cjs', 'carriers'),
      awsSdk: child('producer-aws-sdk.cjs', 'aws-sdk'),
    },
    { cwd: BENCH },
  );
  for (const variant of ['tracebridge', 'awsSdk']) {
    if (samples[variant].some((report) => report.spans === 0)) {
      throw new Error(`${variant} recorded no spans`);
    }
  }
  return {
    usPerCall: summarize(samples, (report) => report.usPerCall),
    spansPerCall: summarize(samples, (report) => report.spans / report.calls),
  };
}

async function pipeline() {
  const load = { before: loadNow() };
  const { sqsMessages, kinesisRecords } = PROFILE.pipeline;
  log(`local pipeline: ${RUNS} runs × 2 variants`);
  const child = (variant) => [
    join(BENCH, 'child', 'pipeline.mjs'),
    variant,
    String(sqsMessages),
    String(kinesisRecords),
  ];
  const samples = await childReports(
    { traced: child('traced'), untraced: child('untraced') },
    { cwd: BENCH },
  );
  for (const [variant, reports] of Object.entries(samples)) {
    for (const { warnings } of reports) {
      if (warnings.length > 0) log(`${variant}: ${warnings.join(' | ')}`);
    }
  }
  const result = { load: { ...load, after: loadNow() } };
  for (const kind of ['sqs', 'kinesis']) {
    const of = (pick) => summarize(samples, (s) => pick(s[kind]));
    result[kind] = {
      messagesPerSecond: of((s) => s.messagesPerSecond),
      producerMs: of((s) => s.producerMs),
      consumerInvocationMs: of((s) => s.consumerInvocationMs),
      runtimeCpu: of((s) => s.cpuMsPerThousand.runtime),
      producerCpu: of((s) => s.cpuMsPerThousand.producer),
      consumerCpu: of((s) => s.cpuMsPerThousand.consumer),
      runtimeBusy: of((s) => s.runtimeBusy),
      spansPerMessage: of((s) => s.spansPerMessage),
      // Consumer invocations a process has served by the end of the timed pass, warm-up included.
      invocationsServed: of((s) => s.warmUpBatches + s.batches),
    };
  }
  return result;
}

async function ingest(receiver) {
  const load = { before: loadNow() };
  const { spans, sizes, clients } = PROFILE.ingest;
  const variants = sizes.flatMap((size) => [`decode-${size}`, `http-${size}`]);
  log(`collector ingest: ${RUNS} runs × ${variants.length} variants`);
  const child = (variant) => {
    const [mode, size] = variant.split('-');
    const requests = Math.ceil(spans / Number(size));
    return [join(BENCH, 'child', 'ingest.mjs'), mode, size, String(requests), String(clients)];
  };
  const samples = await childReports(
    Object.fromEntries(variants.map((variant) => [variant, child(variant)])),
    { env: lambdaEnv(receiver.endpoint), cwd: BENCH },
  );
  return {
    load: { ...load, after: loadNow() },
    spansPerSecond: summarize(samples, (s) => s.spansPerSecond),
    spansPerCpuSecond: summarize(samples, (s) => s.spansPerCpuSecond ?? NaN),
    bodyBytes: summarize(samples, (s) => s.bodyBytes),
    tracesEvicted: summarize(samples, (s) => s.tracesEvicted),
  };
}

const started = Date.now();
const receiver = await startReceiver();
try {
  const built = wanted('bundle') || wanted('cold') ? await bundles() : undefined;
  const results = {
    quick,
    runs: RUNS,
    profile: PROFILE,
    bundles: built,
    cold: wanted('cold') ? await coldStarts(built, receiver) : undefined,
    consumer: wanted('consumer') ? await consumerCost() : undefined,
    flush: wanted('flush') ? await flushes(receiver) : undefined,
    producer: wanted('producer') ? await producerCost() : undefined,
    pipeline: wanted('pipeline') ? await pipeline() : undefined,
    ingest: wanted('ingest') ? await ingest(receiver) : undefined,
  };
  // The raw results, to read what a table leaves out (bench/.build is not committed). A run of
  // some sections keeps its own file, so that the whole run's report can still be rebuilt.
  await mkdir(BUILD_DIR, { recursive: true });
  const resultsFile = only === undefined ? 'results.json' : 'results-only.json';
  await writeFile(join(BUILD_DIR, resultsFile), `${JSON.stringify(results, null, 2)}\n`);
  if (only === undefined) {
    const file = await writeReport(results, Date.now() - started);
    log(`wrote ${file}`);
  } else {
    // Some sections only: BENCHMARKS.md keeps the figures of one whole run.
    process.stdout.write(`${await reportSections(results, only)}\n`);
    log(`ran ${only.join(', ')} in ${Math.round((Date.now() - started) / 1000)} s`);
  }
} finally {
  await receiver.close();
}
