// npm run bench [-- --quick]: tracebridge against no tracing, the official stack wired by hand
// and an ADOT-like set-up, measured side by side and interleaved; writes BENCHMARKS.md.
import { join } from 'node:path';
import { bundle, FIXTURES } from './lib/build.mjs';
import { runChild } from './lib/child.mjs';
import { lambdaEnv } from './lib/lambda.mjs';
import { startReceiver } from './lib/receiver.mjs';
import { writeReport } from './lib/report.mjs';
import { summary } from './lib/stats.mjs';

const BENCH = import.meta.dirname;
const quick = process.argv.includes('--quick');
// Runs per figure: the issue asks for medians over at least 10 (3 for a quick look).
const RUNS = quick ? 3 : 10;
const PROFILE = {
  consumerBatches: { 10: quick ? 200 : 1_000, 1000: quick ? 3 : 20 },
  flushReps: quick ? 10 : 50,
  producerCalls: quick ? 200 : 1_000,
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

async function bundles() {
  log('bundling');
  const result = {};
  for (const name of ['none', 'tracebridge', 'official', 'adot']) result[name] = await bundle(name);
  return result;
}

async function coldStarts(built, receiver) {
  log(`cold start: ${RUNS} runs × 5 variants`);
  const paths = {
    none: built.none.path,
    tracebridge: built.tracebridge.path,
    official: built.official.path,
    adot: built.adot.path,
    adotUnbundled: join(FIXTURES, 'adot.mjs'),
  };
  const samples = await interleaved(Object.keys(paths), async (variant) => {
    const before = receiver.counts.requests;
    const { spawnedAt, exitedAt, report } = await runChild(
      [join(BENCH, 'child', 'cold.mjs'), paths[variant]],
      { env: lambdaEnv(receiver.endpoint), cwd: BENCH },
    );
    return {
      coldMs: report.invocationEndEpochMs - spawnedAt,
      processMs: exitedAt - spawnedAt,
      maxRssMb: report.maxRssKb / 1024,
      importMs: report.importMs,
      invokeMs: report.invokeMs,
      exports: receiver.counts.requests - before,
    };
  });
  return {
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
    const batches = PROFILE.consumerBatches[batchSize];
    const samples = await interleaved(['none', 'tracebridge', 'official'], async (variant) => {
      const { report } = await runChild(
        [join(BENCH, 'child', 'consumer-cost.mjs'), variant, String(batchSize), String(batches)],
        { cwd: BENCH },
      );
      return report.usPerMessage;
    });
    result[batchSize] = summarize(samples, (us) => us);
  }
  return result;
}

async function flushes(receiver) {
  log(`flush: ${RUNS} runs × 2 variants`);
  const samples = await interleaved(['tracebridge', 'official'], async (variant) => {
    const { report } = await runChild(
      [join(BENCH, 'child', 'flush.mjs'), variant, String(PROFILE.flushReps)],
      { env: lambdaEnv(receiver.endpoint), cwd: BENCH },
    );
    return report;
  });
  return {
    firstMs: summarize(samples, (s) => s.firstMs),
    warm10Ms: summarize(samples, (s) => s.warm10Ms),
    warm100Ms: summarize(samples, (s) => s.warm100Ms),
  };
}

async function producerCost() {
  log(`producer cost: ${RUNS} runs × 4 variants`);
  const children = {
    esmNone: ['producer.mjs', 'none'],
    tracebridge: ['producer.mjs', 'tracebridge'],
    cjsNone: ['producer-aws-sdk.cjs', 'none'],
    awsSdk: ['producer-aws-sdk.cjs', 'aws-sdk'],
  };
  const samples = await interleaved(Object.keys(children), async (variant) => {
    const [file, name] = children[variant];
    const { report } = await runChild(
      [join(BENCH, 'child', file), name, String(PROFILE.producerCalls)],
      { cwd: BENCH },
    );
    if (name !== 'none' && report.spans === 0) throw new Error(`${variant} recorded no spans`);
    return report.usPerCall;
  });
  return summarize(samples, (us) => us);
}

const started = Date.now();
const receiver = await startReceiver();
try {
  const built = await bundles();
  const results = {
    quick,
    runs: RUNS,
    profile: PROFILE,
    bundles: built,
    cold: await coldStarts(built, receiver),
    consumer: await consumerCost(),
    flush: await flushes(receiver),
    producer: await producerCost(),
  };
  const file = await writeReport(results, Date.now() - started);
  log(`wrote ${file}`);
} finally {
  await receiver.close();
}
