// Writes BENCHMARKS.md from the bench's results: machine, versions, one table per figure.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { ESBUILD_FLAGS } from './build.mjs';
import { CALLS_PER_CHUNK, WARM_UP_CALLS } from './producer-loop.cjs';
import { ENTRIES } from './sqs-stub.cjs';
import { cell, fixed, ratio } from './stats.mjs';

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

const PACKAGES = [
  'tracebridge',
  '@opentelemetry/api',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/id-generator-aws-xray',
  '@opentelemetry/sdk-node',
  '@opentelemetry/instrumentation-aws-lambda',
  '@opentelemetry/instrumentation-aws-sdk',
  '@opentelemetry/otlp-transformer',
  '@aws-sdk/client-sqs',
  '@aws-sdk/client-kinesis',
  'fauxqs',
  'kinesalite',
  'esbuild',
];

function version(name) {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'))
      .version;
  } catch {
    return 'not installed';
  }
}

const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const verdict = (met) => (met ? '**met**' : '**missed**');
const row = (cells) => `| ${cells.join(' | ')} |`;

function table(header, rows) {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

/** "name 1.2, other 3.4" for the origins of a bundle whose name starts with `prefix`. */
function origins(byOrigin, prefix) {
  const picked = Object.entries(byOrigin ?? {}).filter(([origin]) => origin.startsWith(prefix));
  const total = picked.reduce((sum, [, bytes]) => sum + bytes, 0);
  const list = picked.map(
    ([origin, bytes]) => `${origin.slice(prefix.length)} ${fixed(bytes / 1000)}`,
  );
  return { total, list: list.join(', ') };
}

function bundleSection({ bundles }) {
  const tb = bundles.tracebridge;
  const met = tb.bytes <= 60_000;
  const otel = origins(tb.byOrigin, '@opentelemetry/');
  const own = origins(tb.byOrigin, 'tracebridge: ');
  return [
    '## 1. Bundle size of the SQS consumer',
    '',
    `\`esbuild ${ESBUILD_FLAGS}\`, each fixture in \`bench/fixtures/\`; gzip at level 9.`,
    '',
    table(
      [
        'metric',
        'tracebridge',
        '(1) none',
        '(2) official',
        '(3) ADOT-like',
        'ratio to (2)',
        'ratio to (3)',
        'target',
      ],
      [
        [
          'minified',
          kb(tb.bytes),
          kb(bundles.none.bytes),
          kb(bundles.official.bytes),
          kb(bundles.adot.bytes),
          ratio(tb.bytes, bundles.official.bytes),
          ratio(tb.bytes, bundles.adot.bytes),
          `≤ 60 KB: ${verdict(met)}`,
        ],
        [
          'gzip',
          kb(tb.gzipBytes),
          kb(bundles.none.gzipBytes),
          kb(bundles.official.gzipBytes),
          kb(bundles.adot.gzipBytes),
          ratio(tb.gzipBytes, bundles.official.gzipBytes),
          ratio(tb.gzipBytes, bundles.adot.gzipBytes),
          '—',
        ],
      ],
    ),
    '',
    met
      ? ''
      : `Missed: tracebridge's consumer is ${kb(tb.bytes)}, ${ratio(tb.bytes, bundles.official.bytes)} the hand-wired official one (${kb(bundles.official.bytes)}). esbuild's metafile (\`bench/.build/tracebridge.meta.json\`) splits it into ${kb(otel.total)} of OpenTelemetry (${otel.list}) and ${kb(own.total)} of tracebridge (${own.list}). Since 2026-11-24 the consumer no longer carries the SDK's span, tracer and resource (sdk-trace 14.4 KB, resources 2.3 KB, core 1.8 KB, and 1.2 KB of lazy initialisers esbuild wrapped around the API because \`@opentelemetry/resources\` uses \`import()\`): tracebridge's own span, tracer and samplers take about 8 KB in their place, and the bundle went from 84.1 KB to 72.1 KB on 2026-11-24. All the rest of tracebridge's code is reachable from \`initTracing()\` or \`tracedRecordHandler\` under some \`OTEL_*\` setting or event source, so none of it tree-shakes away. Taken out of a copy of the library (85.1 KB then): choosing the exporter at build time rather than by \`OTEL_TRACES_EXPORTER\` saved 3.4 KB, a fixed configuration instead of the \`OTEL_*\` variables 8.4 KB, reading SQS records only 1.6 KB, the three together 13.4 KB. So 60 KB would need those features chosen when the function is built, which would take the standard \`OTEL_*\` configuration away from a function's template; that is a product decision, not a size fix. Loading parts lazily does not help, since esbuild without code splitting inlines \`import()\`.`,
  ].join('\n');
}

// The cold-start target: at most this many ms added, and at most this share of (3)'s added time.
const COLD_START_TARGET_MS = 10;
const COLD_START_ADOT_SHARE = 15;

function coldSection({ cold }) {
  const added = (variant, stats) => stats[variant].median - stats.none.median;
  const tb = added('tracebridge', cold.coldMs);
  const adot = added('adot', cold.coldMs);
  const rss = added('tracebridge', cold.maxRssMb);
  const floor = added('raw', cold.coldMs);
  const variants = ['tracebridge', 'none', 'official', 'adot', 'adotUnbundled', 'raw'];
  const addedRow = (stats, unit) => [
    ...variants.map((v) => (v === 'none' ? '—' : `+${fixed(added(v, stats))} ${unit}`)),
  ];
  const adotShareMs = adot / COLD_START_ADOT_SHARE;
  const budget = Math.min(COLD_START_TARGET_MS, adotShareMs);
  const coldMet = tb <= budget;
  const columns = variants.length + 2;
  return [
    '## 2. Cold start and memory',
    '',
    `A new \`node\` process loads \`node:http\`, as Lambda's Node.js runtime client does before it imports the handler, then imports the bundle, runs one invocation with one SQS message (the event and context shapes Lambda delivers), flushes to the loopback OTLP receiver, and reports. "Cold start" is wall time from \`spawn\` to the end of that invocation; "process" is spawn to exit. Max RSS is \`process.resourceUsage().maxRSS\` in the child. "Raw POST" is the floor under any tracing that exports before Lambda freezes the process: the consumer of (1), with no tracing, ending its invocation with one OTLP POST written by hand on \`node:net\` (\`bench/lib/raw-post.mjs\`), whose body is as large as tracebridge's export of the same invocation (${thousands(cold.rawBodyBytes)} bytes in this run). Median (min–max).`,
    '',
    table(
      [
        'metric',
        'tracebridge',
        '(1) none',
        '(2) official',
        '(3) ADOT-like, bundled',
        '(3) ADOT-like, unbundled',
        'raw POST',
        'target',
      ],
      [
        ['cold start', ...variants.map((v) => cell(cold.coldMs[v], 'ms'))],
        [
          'added over (1)',
          ...addedRow(cold.coldMs, 'ms'),
          `≤ +${COLD_START_TARGET_MS} ms and ≤ 1/${COLD_START_ADOT_SHARE} of (3) (+${fixed(adotShareMs)} ms): ${verdict(coldMet)}`,
        ],
        [
          'added, ratio to tracebridge',
          '1.00×',
          '—',
          ratio(added('official', cold.coldMs), tb),
          ratio(adot, tb),
          ratio(added('adotUnbundled', cold.coldMs), tb),
          ratio(floor, tb),
          '—',
        ],
        ['of which import', ...variants.map((v) => cell(cold.importMs[v], 'ms'))],
        [
          'of which first invocation (with flush)',
          ...variants.map((v) => cell(cold.invokeMs[v], 'ms')),
        ],
        ['process, spawn to exit', ...variants.map((v) => cell(cold.processMs[v], 'ms'))],
        ['max RSS', ...variants.map((v) => cell(cold.maxRssMb[v], 'MB'))],
        [
          'max RSS added over (1)',
          ...addedRow(cold.maxRssMb, 'MB'),
          `≤ +5 MB: ${verdict(rss <= 5)}`,
        ],
        [
          'spans reached the receiver in every run',
          ...variants.map((v) =>
            v === 'none' || v === 'raw' ? '—' : cold.exported[v] ? 'yes' : 'no',
          ),
        ],
      ].map((cells) => (cells.length < columns ? [...cells, '—'] : cells)),
    ),
    '',
    coldMet
      ? ''
      : coldMiss(cold, {
          tb,
          floor,
          budget,
          adotShareMs,
          official: added('official', cold.coldMs),
        }),
  ].join('\n');
}

function coldMiss(cold, { tb, floor, budget, adotShareMs, official }) {
  const median = (stats, variant) => stats[variant].median;
  return `Missed: tracebridge adds +${fixed(tb)} ms against a +${COLD_START_TARGET_MS} ms target and 1/${COLD_START_ADOT_SHARE} of (3), +${fixed(adotShareMs)} ms (the hand-wired official stack adds +${fixed(official)} ms). The raw POST, one export and no tracing, adds +${fixed(floor)} ms by itself; its invocation takes ${fixed(median(cold.invokeMs, 'raw'))} ms against ${fixed(median(cold.invokeMs, 'none'))} ms, since the process's first connection runs \`node:net\`'s code for the first time. That leaves ${fixed(budget - floor)} ms above the floor for loading the tracing code, making the spans and encoding them; tracebridge takes ${fixed(tb - floor)} ms. Its import takes ${fixed(median(cold.importMs, 'tracebridge'))} ms against ${fixed(median(cold.importMs, 'none'))} ms untraced: V8 compiling the bundle is about 2.4 ms of that, in proportion to its size (section 1; \`new vm.SourceTextModule\` on the bundle against the 0.3 KB one, medians of five, 2026-11-24), \`initTracing()\` reading the \`OTEL_*\` configuration and building the provider about 1.7 ms, and the bundle's top level the rest. Its invocation takes ${fixed(median(cold.invokeMs, 'tracebridge'))} ms against the raw POST's ${fixed(median(cold.invokeMs, 'raw'))} ms: with no exporter (\`OTEL_TRACES_EXPORTER=none\`) the invocation alone takes about 3.1 ms, spread over the first run of every function it calls (CPU profiles at 20 µs, 20 runs, 2026-11-24: the first \`AsyncLocalStorage.run\`, which switches on the promise hooks, and the first timer about 0.3 ms each, extraction, the spans and the timeout guard 0.1–0.4 ms each), and the export's own first run takes the rest. Lambda freezes the process when the handler returns, so the first export has to happen inside the first invocation; opening the connection during init would only move its cost from the invocation to the import, both counted here, and would break the promise that \`initTracing\` touches no network. Replacing the SDK's span and tracer with tracebridge's own took this figure from +23.4 ms to about +14 ms in the runs of 2026-11-24. The child reads the clock through \`process.hrtime\`: its first use of the \`performance\` global loads \`node:perf_hooks\` (0.5 ms), which tracebridge's spans no longer touch and the SDK's do.`;
}

/** Messages a consumer child has handled before its early and its steady timing. */
function consumerMessagesBefore(profile, size) {
  const warmUp = profile.consumerWarmUp[size];
  const steadyAfter = warmUp + profile.consumerBatches[size] + profile.consumerSteady[size].warmUp;
  return { early: warmUp * size, steady: steadyAfter * size };
}

/** `a` when both batch sizes give it, else `a or b` (batches of 10, then of 1,000). */
function eitherSize(of10, of1000) {
  return of10 === of1000 ? of10 : `${of10} or ${of1000}`;
}

function consumerSection({ consumer, profile }) {
  const lines = ['## 3. Per-message consumer cost', ''];
  const { consumerBatches, consumerSteady } = profile;
  const before10 = consumerMessagesBefore(profile, 10);
  const before1000 = consumerMessagesBefore(profile, 1000);
  lines.push(
    `In one process per run, each variant handles batches with a no-op exporter behind a BatchSpanProcessor: extract the context, the invocation span with links, one span per message with a link, the same work per message, end and flush. Microseconds per message, median (min–max); "added" subtracts (1). "Early": ${thousands(consumerBatches[10])} batches of 10 or ${thousands(consumerBatches[1000])} of 1,000 after ${eitherSize(thousands(before10.early), thousands(before1000.early))} messages, a function environment's first invocations, while V8 is still compiling the code. "Steady": ${thousands(consumerSteady[10].batches)} batches of 10 or ${thousands(consumerSteady[1000].batches)} of 1,000 after ${eitherSize(thousands(before10.steady), thousands(before1000.steady))} messages, a busy environment.`,
    '',
  );
  const rows = [];
  const misses = [];
  for (const size of [10, 1000]) {
    for (const phase of ['early', 'steady']) {
      const stats = consumer[size][phase];
      const tb = stats.tracebridge.median - stats.none.median;
      const off = stats.official.median - stats.none.median;
      const met = tb <= 0.7 * off;
      if (!met) misses.push({ size, phase, tb, off });
      rows.push([
        `batch of ${size}, ${phase}, total`,
        cell(stats.tracebridge, 'µs', 2),
        cell(stats.none, 'µs', 2),
        cell(stats.official, 'µs', 2),
        ratio(stats.tracebridge.median, stats.official.median),
        '—',
      ]);
      rows.push([
        `batch of ${size}, ${phase}, added over (1)`,
        `${fixed(tb, 2)} µs`,
        '—',
        `${fixed(off, 2)} µs`,
        ratio(tb, off),
        `≤ 0.7× (2): ${verdict(met)}`,
      ]);
    }
  }
  lines.push(
    table(['metric', 'tracebridge', '(1) none', '(2) official', 'ratio to (2)', 'target'], rows),
  );
  lines.push(
    '',
    "Since 2026-11-24 the contexts tracebridge extracts from messages are its own `Context` (a few key-value pairs in an array), not the API's, which copies a `Map` and makes three closures for every value set; a consumer sets two per message. That took the added cost at batch 1,000 from about 0.8× to about 0.55× of the official path. A span context parsed from a valid `traceparent` is no longer checked again by the tracer. Profiled before those changes (`node --cpu-prof bench/child/consumer-cost.mjs tracebridge 10 200 10000`, 2026-11-24), tracebridge's own span and tracer had already replaced the SDK's (36 % of the CPU per message then). tracebridge does more per message than the hand-written path: it extracts from every place a context can be, records 8 attributes per message against the fixture's 4 (9 on the invocation span against 5), and runs each record in its span's context.",
  );
  if (misses.length > 0) {
    const listed = misses
      .map(({ size, phase, tb, off }) => `batch of ${thousands(size)} ${phase} (${ratio(tb, off)})`)
      .join(', ');
    const onlyEarly = misses.every(({ phase }) => phase === 'early');
    const batchOfTen = misses.some(({ size }) => size === 10);
    lines.push(
      '',
      `Missed: ${listed}.${onlyEarly ? ` Every steady figure meets the target, so what holds ${misses.length === 1 ? 'this one' : 'these'} above it is code V8 has not optimised yet.${batchOfTen ? ` Each invocation costs tracebridge more than each message: the invocation span with its attributes and links, the timeout guard, and the flush bounded by the remaining time (a few promises, each through the AsyncLocalStorage hooks). After ${thousands(profile.consumerWarmUp[10] + consumerBatches[10])} invocations that per-invocation code is still being compiled, and a batch of 10 divides it by 10 only. The guard's and the flush's deadlines used to arm a timer each per invocation, with delays that change as the remaining time does, so that Node made a new timer list every time (about 6 % of this window's CPU profile); since 2026-11-24 every deadline shares one timer, which took this ratio from 0.83–0.87× in earlier whole runs to about 0.76×. Warm, one invocation with one message costs tracebridge 10.4 µs more than no tracing and the official path 13.2 µs (\`node bench/child/consumer-cost.mjs <variant> 1 2000 30000\`, medians of five, 2026-11-24).` : ''}` : ''}`,
    );
  }
  return lines.join('\n');
}

/** The flush figures' verdicts against the issue's targets. */
function flushVerdicts(flush) {
  return {
    first: flush.firstMs.tracebridge.median <= 0.5 * flush.firstMs.official.median,
    bare: flush.firstBareMs.tracebridge.median <= 0.5 * flush.firstBareMs.official.median,
    warm: flush.warm10Ms.tracebridge.median <= 0.3,
    steady: flush.steady10Ms.tracebridge.median <= 0.3,
  };
}

/** Why the flush targets were missed, from the run's own figures. */
function flushMisses(flush, profile, met) {
  const first = flush.firstMs;
  const sentences = ['Where missed:'];
  if (!met.first || !met.bare) {
    const httpLoadMs = flush.firstBareMs.official.median - first.official.median;
    const leftMs = 0.5 * first.official.median - first.raw.median;
    sentences.push(
      `loading \`node:http\` costs the official exporter ${fixed(httpLoadMs, 2)} ms of its first flush in a bare process, which a Lambda process has already paid. What remains is the first request itself: connecting, the answer, and running the export path's code for the first time. The raw POST alone takes ${fixed(first.raw.median, 2)} ms of the official exporter's ${fixed(first.official.median, 2)} ms in a Lambda process (${ratio(first.raw.median, first.official.median)}), ${leftMs > 0 ? `so the 0.5× target leaves ${fixed(leftMs, 2)} ms above that floor` : 'so the floor alone is above the 0.5× target, leaving nothing'} for the spans, their encoding, the HTTP client and the AsyncLocalStorage hooks that the export's suppressed context switches on (about 0.45 ms on their own: one \`context.with\` before the flush took tracebridge's first flush from 6.1 to 5.8 ms, medians of six runs each, 2026-11-24); tracebridge uses ${fixed(first.tracebridge.median - first.raw.median, 2)} ms.`,
    );
  }
  if (!met.warm || !met.steady) {
    sentences.push(
      `The first repetitions in a new process run while the JIT is still compiling the export path: ${fixed(flush.warm10Ms.tracebridge.median, 2)} ms, against ${fixed(flush.steady10Ms.tracebridge.median, 2)} ms once the process has flushed ${thousands(profile.flushSteadyWarmUp)} times, and ${fixed(flush.steady10Ms.raw.median, 2)} ms for the raw POST.`,
    );
  }
  sentences.push(
    'A `node:http` POST to the same receiver took 0.27–0.37 ms warm (2026-11-24), which is why the exporter has its own HTTP/1.1 client on `node:net`.',
  );
  return sentences.join(' ');
}

function flushSection({ flush, profile }) {
  const met = flushVerdicts(flush);
  const withFloor = (label, stats, target, digits = 2) => [
    label,
    cell(stats.tracebridge, 'ms', digits),
    cell(stats.official, 'ms', digits),
    stats.raw ? cell(stats.raw, 'ms', digits) : '—',
    ratio(stats.tracebridge.median, stats.official.median),
    target,
  ];
  return [
    '## 4. Flush to the loopback OTLP receiver',
    '',
    `A new process per run ends 10 spans and times the first flush (OTLP/protobuf over HTTP to 127.0.0.1), then times warm flushes of 10 and 100 spans (the median of ${profile.flushReps} repetitions each in that process), then flushes 10 spans ${thousands(profile.flushSteadyWarmUp)} times more untimed and times ${profile.flushSteadyReps} more (the steady state of a busy function's environment). A Lambda process has \`node:http\`, and with it \`node:net\`, loaded before the handler runs, because Lambda's Node.js runtime client uses it (aws-lambda-nodejs-runtime-interface-client, \`src/client/rapid-client.ts\`); those rows load it first to match. A bare process leaves every module to the exporter, as the issue's figure for (2) (about 11 ms) was measured. "Raw POST" is the floor under any exporter: the same request written by hand on one \`node:net\` connection, with a body of the size of tracebridge's 10-span export (${thousands(flush.exportBytes)} bytes, as the receiver counted them in this run) and no spans to end or encode. Median over runs (min–max).`,
    '',
    table(
      ['metric', 'tracebridge', '(2) official', 'raw POST', 'ratio to (2)', 'target'],
      [
        withFloor(
          'first flush, 10 spans, Lambda process',
          flush.firstMs,
          `≤ 0.5× (2): ${verdict(met.first)}`,
        ),
        withFloor(
          'first flush, 10 spans, bare process',
          flush.firstBareMs,
          `≤ 0.5× (2): ${verdict(met.bare)}`,
        ),
        withFloor(
          `warm flush, 10 spans, first ${profile.flushReps} in the process`,
          flush.warm10Ms,
          `≤ 0.3 ms: ${verdict(met.warm)}`,
        ),
        withFloor(
          `warm flush, 10 spans, after ${thousands(profile.flushSteadyWarmUp)} flushes`,
          flush.steady10Ms,
          `≤ 0.3 ms: ${verdict(met.steady)}`,
        ),
        withFloor('warm flush, 100 spans', flush.warm100Ms, '—'),
      ],
    ),
    '',
    Object.values(met).every(Boolean) ? '' : flushMisses(flush, profile, met),
  ].join('\n');
}

function producerSection({ producer: { usPerCall, spansPerCall }, profile }) {
  const perEntry = (traced, untraced) =>
    (usPerCall[traced].median - usPerCall[untraced].median) / ENTRIES;
  const tb = perEntry('tracebridge', 'esmNone');
  const sdk = perEntry('awsSdk', 'cjsNone');
  const tbCarriers = perEntry('esmCarriers', 'esmNone');
  const sdkCarriers = perEntry('cjsCarriers', 'cjsNone');
  const tbOwn = tb - tbCarriers;
  const sdkOwn = sdk - sdkCarriers;
  const budget = 0.7 * sdk;
  const met = tb <= budget;
  return [
    '## 5. Producer middleware cost',
    '',
    `${profile.producerCalls} SendMessageBatch calls of ${ENTRIES} entries per run, after ${thousands(WARM_UP_CALLS)} warm-up calls, timed in chunks of ${CALLS_PER_CHUNK} (a run's figure is its median chunk, so that a garbage collection or a late JIT tier moves one chunk, not the run), on an SQSClient whose \`requestHandler\` answers a canned success (no socket). tracebridge's \`tracePropagation()\` runs in an ES module process; \`@opentelemetry/instrumentation-aws-sdk\` needs its require hook, so it runs in a CommonJS process that registers it before requiring the client. Each is compared with an untraced client in the same module format. "Carrying the context" is that untraced client sending entries that already hold, made once, what the tracing adds to each: the \`traceparent\` message attribute for the instrumentation, and that and the \`AWSTraceHeader\` system attribute for tracebridge (the design asks for both). What it adds is the AWS SDK's own work of serialising, logging-filtering and signing them, which no producer tracing that carries them can avoid; the rest of the added cost is the tracing's own code. Median (min–max).`,
    '',
    table(
      ['metric', 'tracebridge', 'instrumentation-aws-sdk', 'ratio', 'target'],
      [
        [
          'per call, untraced',
          cell(usPerCall.esmNone, 'µs'),
          cell(usPerCall.cjsNone, 'µs'),
          '—',
          '—',
        ],
        [
          'per call, untraced, carrying the context',
          cell(usPerCall.esmCarriers, 'µs'),
          cell(usPerCall.cjsCarriers, 'µs'),
          '—',
          '—',
        ],
        [
          'per call, traced',
          cell(usPerCall.tracebridge, 'µs'),
          cell(usPerCall.awsSdk, 'µs'),
          '—',
          '—',
        ],
        [
          'spans exported per call',
          fixed(spansPerCall.tracebridge.median, 0),
          fixed(spansPerCall.awsSdk.median, 0),
          '—',
          '—',
        ],
        [
          'added per entry',
          `${fixed(tb, 2)} µs`,
          `${fixed(sdk, 2)} µs`,
          ratio(tb, sdk),
          `≤ 0.7×: ${verdict(met)}`,
        ],
        [
          'of which the SDK carrying the context',
          `${fixed(tbCarriers, 2)} µs`,
          `${fixed(sdkCarriers, 2)} µs`,
          ratio(tbCarriers, sdkCarriers),
          '—',
        ],
        [
          "of which the tracing's own code",
          `${fixed(tbOwn, 2)} µs`,
          `${fixed(sdkOwn, 2)} µs`,
          ratio(tbOwn, sdkOwn),
          '—',
        ],
      ],
    ),
    '',
    met
      ? ''
      : producerMiss({ tb, sdk, tbCarriers, sdkCarriers, tbOwn, sdkOwn, budget, spansPerCall }),
  ].join('\n');
}

function producerMiss({ tb, sdk, tbCarriers, sdkCarriers, tbOwn, sdkOwn, budget, spansPerCall }) {
  const floor =
    tbCarriers >= budget
      ? `Out of reach with the context the design carries: with no tracing at all, the AWS SDK spends ${fixed(tbCarriers, 2)} µs per entry sending the two attributes, as much as or more than the whole target of ${fixed(budget, 2)} µs (0.7× of the instrumentation's ${fixed(sdk, 2)} µs), before a single span is made.`
      : `With no tracing at all, the AWS SDK spends ${fixed(tbCarriers, 2)} µs per entry sending the two attributes, ${percent(tbCarriers / budget)} of the target's ${fixed(budget, 2)} µs (0.7× of the instrumentation's ${fixed(sdk, 2)} µs). That leaves ${fixed(budget - tbCarriers, 2)} µs per entry for all of the tracing's own work: its ${fixed(spansPerCall.tracebridge.median / ENTRIES, 1)} spans per entry started, ended and exported, the two headers formatted, and each entry measured against the batch's size limit and copied; tracebridge's code takes ${fixed(tbOwn, 2)} µs for it.`;
  return `Missed: tracebridge adds ${fixed(tb, 2)} µs per entry, ${ratio(tb, sdk)} the instrumentation's ${fixed(sdk, 2)} µs. ${floor} The instrumentation's one attribute costs the SDK ${fixed(sdkCarriers, 2)} µs. tracebridge records ${fixed(spansPerCall.tracebridge.median, 0)} spans per ${ENTRIES}-entry call (a send span and one \`create\` span per entry, as the messaging conventions recommend for batches, so that each consumer links to its own message) where the instrumentation records ${fixed(spansPerCall.awsSdk.median, 0)}; its own code takes ${ratio(tbOwn, sdkOwn)} the time of the instrumentation's own. A CPU profile of the untraced client with and without the attributes (\`node --cpu-prof bench/child/producer.mjs carriers 6000\` against \`none\`, 2026-11-24) puts the difference in the SDK's schema-driven JSON serialiser (\`NormalizedSchema\`, \`structIterator\`, \`writeStruct\`, \`writeJsonString\`), in \`schemaLogFilter\`, which copies every input to filter sensitive members out of the logs whether or not a logger is set (about a fifth of the difference), and in SigV4 signing of the larger body.`;
}

const thousands = (value) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
const percent = (value, digits = 0) =>
  Number.isFinite(value) ? `${fixed(value * 100, digits)} %` : 'n/a';

// The pipeline target: tracing costs at most this share of the throughput.
const MAX_PIPELINE_COST = 0.05;

/** "median (min–max)" of a summary of large numbers, with thousands separators. */
function countCell(stats) {
  if (!stats || stats.n === 0) return 'n/a';
  return `${thousands(stats.median)} (${thousands(stats.min)}–${thousands(stats.max)})`;
}

/** The machine's 1-minute load average now, against its cores: how shared the run was. */
export function loadNow() {
  return loadavg()[0];
}

const loadNote = (load) =>
  load === undefined
    ? ''
    : ` The 1-minute load average was ${fixed(load.before, 1)} before this section and ${fixed(load.after, 1)} after it, on ${cpus().length} cores: other work shared the machine to that extent.`;

/**
 * The least throughput cost tracing can have on this pipeline, from sections 3, 4 and 7 of the
 * same run; undefined when the run did not measure them. Each mapping's poller waits for the
 * consumer's invocation before its next receive, so whatever tracing adds to an invocation is
 * added to every cycle of the loop: at least the flush (its steady-state 10-span figure, whatever
 * the batch), the added per-message cost of a busy process (the steady figure, at batch 1,000 for
 * batches above 10), and the collector decoding and storing the consumer's own spans on the runtime's
 * thread (the producer's are left out, and of the request sizes measured the cheapest per span is
 * taken). Every part is taken at its most favourable.
 */
function pipelineFloor({ consumer, flush, ingest, profile }, stats, batch) {
  if (!consumer || !flush || !ingest) return undefined;
  const perMessage = consumer[batch <= 10 ? 10 : 1000].steady;
  const addedUs = perMessage.tracebridge.median - perMessage.none.median;
  const collectorUsPerSpan =
    1e6 /
    Math.max(
      ...profile.ingest.sizes.map((size) => ingest.spansPerCpuSecond[`decode-${size}`].median),
    );
  const flushMs = flush.steady10Ms.tracebridge.median;
  const perMessageMs = (batch * addedUs) / 1000;
  const collectorMs = ((batch + 1) * collectorUsPerSpan) / 1000;
  const addedMs = flushMs + perMessageMs + collectorMs;
  const cycleMs = (batch / stats.messagesPerSecond.untraced.median) * 1000;
  // A cycle that takes `added` longer passes that share fewer messages per second.
  const costOf = (added) => added / (cycleMs + added);
  return {
    flushMs,
    perMessageMs,
    collectorMs,
    addedMs,
    cycleMs,
    collectorUsPerSpan,
    cost: costOf(addedMs),
    costWithoutCollector: costOf(addedMs - collectorMs),
  };
}

/** What the least-cost figures say beyond each mapping's own, for the section's last sentences. */
function floorConclusion(floors, measuredCost) {
  const known = Object.entries(floors).filter(([, floor]) => floor !== undefined);
  if (known.length === 0) {
    return 'Run the consumer, flush and ingest sections with it to see the least cost this design allows.';
  }
  const above = ([, floor]) => floor.costWithoutCollector > MAX_PIPELINE_COST;
  const listed = known
    .map(([name, floor]) => `${name} ${percent(floor.costWithoutCollector, 1)}`)
    .join(', ');
  const names = (entries) => entries.map(([name]) => name).join(' and ');
  let verdictText;
  if (known.every(above)) {
    verdictText = 'still above the target';
  } else if (!known.some(above)) {
    verdictText = 'under the target, but only with every process fully warm';
  } else {
    verdictText = `still above the target for ${names(known.filter(above))}, and under it for ${names(known.filter((entry) => !above(entry)))} only with every process fully warm`;
  }
  const aboveFloor = known.every(([name, floor]) => measuredCost[name] > floor.cost);
  return `With the collector on a core of its own the least cost would be ${listed}, ${verdictText}.${aboveFloor ? ` The distance between the measured cost and that floor is the function processes' code still being compiled and the three processes sharing ${cpus().length} cores.` : ''}`;
}

function pipelineSection(results) {
  const { pipeline, profile } = results;
  const { sqs, kinesis } = pipeline;
  const cost = (stats) => 1 - stats.traced.median / stats.untraced.median;
  const met = (stats) => cost(stats) <= MAX_PIPELINE_COST;
  const pair = (stats, unit, digits = 1) => [
    cell(stats.traced, unit, digits),
    cell(stats.untraced, unit, digits),
    ratio(stats.traced.median, stats.untraced.median),
  ];
  const throughputRow = (label, stats) => [
    label,
    countCell(stats.traced),
    countCell(stats.untraced),
    ratio(stats.traced.median, stats.untraced.median),
    `cost ${percent(cost(stats))}, ≤ 5 %: ${verdict(met(stats))}`,
  ];
  const floors = {
    SQS: pipelineFloor(results, sqs, 10),
    Kinesis: pipelineFloor(results, kinesis, 100),
  };
  const rows = [
    throughputRow('SQS, messages per second', sqs.messagesPerSecond),
    throughputRow('Kinesis, records per second', kinesis.messagesPerSecond),
  ];
  for (const [name, floor] of Object.entries(floors)) {
    if (floor === undefined) continue;
    rows.push([
      `${name}, least cost possible here (sections 3, 4 and 7)`,
      percent(floor.cost, 1),
      '—',
      '—',
      floor.cost > MAX_PIPELINE_COST ? 'above 5 %: out of reach' : 'within 5 %',
    ]);
  }
  for (const [name, stats, batch] of [
    ['SQS', sqs, 10],
    ['Kinesis', kinesis, 100],
  ]) {
    rows.push(
      [
        `${name}, consumer invocation per batch of ${batch}`,
        ...pair(stats.consumerInvocationMs, 'ms'),
        '—',
      ],
      [`${name}, producer invocation (all sends)`, ...pair(stats.producerMs, 'ms', 0), '—'],
      [`${name}, CPU per 1,000: runtime process`, ...pair(stats.runtimeCpu, 'ms', 0), '—'],
      [`${name}, CPU per 1,000: producer process`, ...pair(stats.producerCpu, 'ms', 0), '—'],
      [`${name}, CPU per 1,000: consumer process`, ...pair(stats.consumerCpu, 'ms', 0), '—'],
      [
        `${name}, runtime main thread busy`,
        percent(stats.runtimeBusy.traced.median),
        percent(stats.runtimeBusy.untraced.median),
        '—',
        '—',
      ],
      [
        `${name}, spans received per message`,
        fixed(stats.spansPerMessage.traced.median, 2),
        fixed(stats.spansPerMessage.untraced.median, 2),
        '—',
        '—',
      ],
    );
  }
  const { sqsMessages, kinesisRecords } = profile.pipeline;
  const explain = (name, stats, batch) => {
    const runtimeAdded = stats.runtimeCpu.traced.median - stats.runtimeCpu.untraced.median;
    const functionsAdded =
      stats.producerCpu.traced.median -
      stats.producerCpu.untraced.median +
      stats.consumerCpu.traced.median -
      stats.consumerCpu.untraced.median;
    const emulatorBound =
      stats.runtimeCpu.untraced.median >
      stats.producerCpu.untraced.median + stats.consumerCpu.untraced.median;
    const floor = floors[name];
    const floorText =
      floor === undefined
        ? ''
        : ` Even with every part at its most favourable, tracing adds at least ${fixed(floor.addedMs, 2)} ms to each ${fixed(floor.cycleMs, 1)} ms cycle of the untraced loop (receive, invoke, delete): the steady-state flush ${fixed(floor.flushMs, 2)} ms (section 4), ${batch} messages' added cost in a busy process ${fixed(floor.perMessageMs, 2)} ms (section 3, steady), and the collector decoding and storing the invocation's ${batch + 1} spans at ${fixed(floor.collectorUsPerSpan, 1)} µs of CPU each ${fixed(floor.collectorMs, 2)} ms (section 7); that alone is a ${percent(floor.cost, 1)} cost, ${floor.cost > MAX_PIPELINE_COST ? 'above the 5 % target: with a flush per invocation and a span per message, which the design requires, the target cannot be met on this pipeline' : 'within the 5 % target'}.`;
    return `${name}: tracing costs ${percent(cost(stats.messagesPerSecond))} of the throughput.${floorText} Untraced, the runtime process (the emulator and its front, the pollers and the collector, on one thread, and V8's garbage-collector threads) used ${fixed(stats.runtimeCpu.untraced.median, 0)} ms of CPU per 1,000 messages, the producer ${fixed(stats.producerCpu.untraced.median, 0)} ms and the consumer ${fixed(stats.consumerCpu.untraced.median, 0)} ms${emulatorBound ? ": the emulator and the poll loop are most of the pipeline's work" : ''}, and the three processes share ${cpus().length} cores. Tracing adds ${fixed(runtimeAdded, 0)} ms per 1,000 in the runtime process (the collector decoding and storing ${fixed(stats.spansPerMessage.traced.median - stats.spansPerMessage.untraced.median, 1)} more spans per message, larger messages carrying their context) and ${fixed(functionsAdded, 0)} ms in the producer and consumer processes (creating, encoding and sending the spans, and V8 compiling that code on its own threads: the consumer, which has served ${fixed(stats.invocationsServed.traced.median, 0)} invocations by the end of the pass, warm-up included, is still being compiled); and each consumer invocation, which the poller waits for before its next receive, takes ${fixed(stats.consumerInvocationMs.traced.median, 1)} ms per batch of ${batch} instead of ${fixed(stats.consumerInvocationMs.untraced.median, 1)} ms, because it does that work and ends with the flush to the collector, a round trip through the runtime's busy thread, as it must before Lambda freezes the process.`;
  };
  const missed = [
    met(sqs.messagesPerSecond) ? '' : explain('SQS', sqs, 10),
    met(kinesis.messagesPerSecond) ? '' : explain('Kinesis', kinesis, 100),
  ].filter(Boolean);
  return [
    '## 6. Local pipeline throughput, with and without tracing',
    '',
    `\`bench/fixtures/pipeline/traced.yaml\` and \`untraced.yaml\` run on the local runtime (\`startLocalRuntime\`: fauxqs and kinesalite behind their fronts, the event source mappings, one process per function, the collector), identical but for the handlers: the traced producer has \`tracePropagation()\` on its SQS and Kinesis clients, the traced consumers are \`tracedRecordHandler\`, each calls \`initTracing()\`; the untraced ones do the same work per message with no tracing. A new process per run starts the runtime, warms every function up, then times one producer invocation sending ${thousands(sqsMessages)} messages (SendMessageBatch of 10) until the SQS consumer's mapping has processed the last (batch size 10), then ${thousands(kinesisRecords)} records (PutRecords of 100) through a one-shard stream (batch size 100; an empty GetRecords waits 10 ms, not Lambda's 1 s, so that the wait is not what is measured). CPU per 1,000 messages counts every thread of a process (V8's compiler and garbage-collector threads too): \`process.cpuUsage()\` for the runtime, \`/proc/<pid>/stat\` for the function processes (10 ms ticks); the runtime's main thread is busy for its own \`/proc\` figure over the pass's wall time. \`bench/child/pipeline.mjs\` says how to profile every process of a run. Median (min–max), interleaved.${loadNote(pipeline.load)}`,
    '',
    table(['metric', 'traced', 'untraced', 'traced / untraced', 'target'], rows),
    '',
    missed.length === 0
      ? ''
      : `Missed. ${missed.join(' ')} The flush per invocation is what Lambda requires, and the runtime's emulators, pollers and collector share one thread. Profiled (\`bench/child/pipeline.mjs\` says how), the added CPU goes, in the runtime process, to the collector decoding and storing the spans and to collecting the garbage of the spans it keeps; in the function processes, much of it to V8's compiler threads, and on the main thread to span code that still runs unoptimised, the export's encoding and its socket write: the consumer's added CPU per message is far above section 3's in-process figure because section 3's steady figure measures a process that has handled ${thousands(consumerMessagesBefore(profile, 1000).steady)} messages, and these have served ${fixed(sqs.invocationsServed.traced.median, 0)} (SQS) and ${fixed(kinesis.invocationsServed.traced.median, 0)} (Kinesis) invocations. ${floorConclusion(floors, { SQS: cost(sqs.messagesPerSecond), Kinesis: cost(kinesis.messagesPerSecond) })}`,
  ].join('\n');
}

function ingestSection({ ingest, profile }) {
  const { sizes, clients, spans } = profile.ingest;
  const of = (mode, stats) => sizes.map((size) => stats[`${mode}-${size}`]);
  const met = (mode) => of(mode, ingest.spansPerSecond).every((stats) => stats.median >= 50_000);
  const rows = [
    [
      'in process: decode + store, spans per second',
      ...of('decode', ingest.spansPerSecond).map(countCell),
      `≥ 50,000: ${verdict(met('decode'))}`,
    ],
    [
      'in process: spans per CPU-second',
      ...of('decode', ingest.spansPerCpuSecond).map(countCell),
      '—',
    ],
    [
      `over HTTP, ${clients} concurrent clients: spans per second`,
      ...of('http', ingest.spansPerSecond).map(countCell),
      `≥ 50,000: ${verdict(met('http'))}`,
    ],
    ['request body', ...of('decode', ingest.bodyBytes).map((stats) => kb(stats.median)), '—'],
    [
      'traces evicted per in-process run',
      ...of('decode', ingest.tracesEvicted).map((stats) => thousands(stats.median)),
      '—',
    ],
  ];
  const allMet = met('decode') && met('http');
  // What HTTP adds to each request: its time over HTTP less its decode and store alone.
  const httpMs = sizes.map((size) => {
    const perRequest = (mode) => (size / ingest.spansPerSecond[`${mode}-${size}`].median) * 1000;
    const added = perRequest('http') - perRequest('decode');
    return added > 0
      ? `${fixed(added, 2)} ms per request of ${size} (${fixed((added * 1000) / size, 1)} µs per span)`
      : `nothing measurable on requests of ${size}`;
  });
  const slowest = Math.min(...of('decode', ingest.spansPerCpuSecond).map((stats) => stats.median));
  const missedText = `Missed: in process the collector decodes and stores ${thousands(slowest)} spans or more per CPU-second, its own speed; per second of wall time that figure also carries whatever else ran on the machine (load above). Over HTTP each request adds its reading, its answer and the round trip to clients on the same cores: ${httpMs.join(', ')} at the medians.`;
  return [
    '## 7. Collector ingest',
    '',
    `The exports are those of tracebridge's SQS consumer for one batch (an invocation span linking to every message, one SERVER span per message in its producer's trace with the messaging attributes and a link to the invocation, the Lambda resource), captured from \`tracedRecordHandler\` and encoded by the official serializer (\`@opentelemetry/otlp-transformer\` \`ProtobufTraceSerializer\`); every request is a copy with fresh trace and span ids, so the store keeps every span. "In process": \`decodeExportTraceServiceRequest\` then \`store.add\`, as the collector does for each export, into a store with the runtime's default limits (100,000 spans, 20,000 traces); each message span starts a trace, so the store reaches its trace limit during the run and evicts the oldest trace for every new one from then on (the evictions row). "Over HTTP": the collector (\`startCollector\`) on 127.0.0.1, and ${clients} keep-alive clients in a worker thread posting the same bodies. About ${thousands(spans)} spans per run after a warm-up; median (min–max).${loadNote(ingest.load)}`,
    '',
    table(['metric', ...sizes.map((size) => `${size} spans per request`), 'target'], rows),
    '',
    allMet ? '' : missedText,
  ].join('\n');
}

function header(results, elapsedMs) {
  const cpu = cpus();
  return [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench${results.quick ? ' -- --quick' : ''}\` (after \`npm install\` and \`npm run build\`) in ${fixed(elapsedMs / 1000, 0)} s; ${results.runs} runs per figure, interleaved (A B C A B C …), median with min–max.${results.quick ? ' **Quick profile**: run `npm run bench` for the full one.' : ''} Benchmarks are not tests: nothing here runs in \`npm test\`.`,
    '',
    'Alternatives: **(1)** no tracing; **(2)** the official packages wired by hand (BasicTracerProvider, BatchSpanProcessor, OTLP/protobuf exporter, X-Ray id generator, W3C propagators, a per-message span with a link written by hand); **(3)** ADOT-like: NodeSDK with `instrumentation-aws-lambda` and `instrumentation-aws-sdk` and the X-Ray id generator. (3) is installable on Node 20 in the pinned line: `npm view @opentelemetry/instrumentation-aws-lambda@0.75.0` depends on `@opentelemetry/instrumentation ^0.223.0` with engines `^18.19.0 || >=20.6.0`; 0.76.0 needs `^0.300.0` and Node `>=22.15.0`.',
    '',
    `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${fixed(totalmem() / 2 ** 30, 1)} GiB, Linux ${release()}, Node ${process.versions.node}.`,
    '',
    table(
      ['package', 'version'],
      PACKAGES.map((name) => [`\`${name}\``, version(name)]),
    ),
  ].join('\n');
}

const NOT_DONE = [
  '## Not measured yet',
  '',
  '- ADOT as the Lambda layer really loads it (`NODE_OPTIONS=--require` wrapper patching the handler file): the unbundled column imports the same fixture without bundling, which measures the module loading but wraps the handler through the instrumentation itself.',
  "- Cold start is measured on this machine, not in Lambda: Lambda's own start-up and network are not in these figures; the ratio is what counts.",
].join('\n');

/** The sections `npm run bench -- --only` can name, in report order. */
export const SECTIONS = ['bundle', 'cold', 'consumer', 'flush', 'producer', 'pipeline', 'ingest'];

const SECTION_WRITERS = {
  bundle: bundleSection,
  cold: coldSection,
  consumer: consumerSection,
  flush: flushSection,
  producer: producerSection,
  pipeline: pipelineSection,
  ingest: ingestSection,
};

async function formatted(text) {
  const file = join(ROOT, 'BENCHMARKS.md');
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...options, filepath: file });
}

/** The tables of the `sections` run, as Markdown, for `--only`. */
export async function reportSections(results, sections) {
  return formatted(
    SECTIONS.filter((name) => sections.includes(name))
      .map((name) => SECTION_WRITERS[name](results))
      .join('\n\n'),
  );
}

/** Writes BENCHMARKS.md at the repository root, formatted by the repository's Prettier. */
export async function writeReport(results, elapsedMs) {
  const text = [
    header(results, elapsedMs),
    ...SECTIONS.map((name) => SECTION_WRITERS[name](results)),
    NOT_DONE,
  ].join('\n\n');
  const file = join(ROOT, 'BENCHMARKS.md');
  await writeFile(file, await formatted(text));
  return file;
}
