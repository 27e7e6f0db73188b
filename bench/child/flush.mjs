// Flush cost in one new process: argv = variant, process kind, warm repetitions, steady warm-up,
// steady repetitions, raw body bytes. Ends 10 spans and times the first flush to the loopback
// receiver, then times warm flushes of 10 and 100 spans, then, after `steady warm-up` more
// untimed flushes, `steady repetitions` 10-span flushes once more.
// A "lambda" process loads node:http first, as Lambda's runtime client does before it imports the
// handler (see cold.mjs); a "bare" one leaves every module to the exporter.
// The "raw" variant is the floor (lib/raw-post.mjs), with a body of `raw body bytes` (the size of
// tracebridge's 10-span export), and no spans at all.
import { summary } from '../lib/stats.mjs';

const [variant, kind, ...counts] = process.argv.slice(2);
const [reps, steadyWarmUp, steadyReps, rawBodyBytes] = counts.map(Number);
if (kind === 'lambda') await import('node:http');

async function setUp(name) {
  if (name === 'raw') {
    const { rawPoster } = await import('../lib/raw-post.mjs');
    return { flush: rawPoster(process.env.OTEL_EXPORTER_OTLP_ENDPOINT, rawBodyBytes) };
  }
  if (name === 'tracebridge') {
    const { initTracing } = await import('tracebridge/setup');
    const tracing = initTracing();
    return { tracer: tracing.tracer, flush: () => tracing.forceFlush() };
  }
  const { trace } = await import('@opentelemetry/api');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const { setUpOfficial } = await import('../fixtures/official-setup.mjs');
  const provider = setUpOfficial(new OTLPTraceExporter());
  return { tracer: trace.getTracer('orders-consumer'), flush: () => provider.forceFlush() };
}

const { tracer, flush } = await setUp(variant);

async function timedFlush(spanCount) {
  for (let index = 0; tracer && index < spanCount; index += 1) {
    const span = tracer.startSpan('process orders', {
      attributes: { 'order.id': `order-${index}` },
    });
    span.end();
  }
  const start = performance.now();
  const result = await flush();
  const ms = performance.now() - start;
  if (result && result.ok === false) throw new Error(`flush failed: ${String(result.error)}`);
  return ms;
}

const firstMs = await timedFlush(10);
const warm10 = [];
const warm100 = [];
for (let rep = 0; rep < reps; rep += 1) {
  warm10.push(await timedFlush(10));
  if (tracer) warm100.push(await timedFlush(100));
}
const steady10 = [];
if (steadyReps > 0) {
  for (let rep = 0; rep < steadyWarmUp; rep += 1) await timedFlush(10);
  for (let rep = 0; rep < steadyReps; rep += 1) steady10.push(await timedFlush(10));
}
process.stdout.write(
  `${JSON.stringify({
    firstMs,
    warm10Ms: summary(warm10).median,
    warm100Ms: summary(warm100).median,
    steady10Ms: summary(steady10).median,
  })}\n`,
);
process.exit(0);
