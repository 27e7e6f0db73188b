// Flush cost in one new process: argv = variant, warm repetitions, process kind. Ends 10 spans and
// times the first flush to the loopback receiver, then times warm flushes of 10 and 100 spans.
// A "lambda" process loads node:http first, as Lambda's runtime client does before it imports the
// handler (see cold.mjs); a "bare" one leaves every module to the exporter.
const [variant, repsArg, kind] = process.argv.slice(2);
const reps = Number(repsArg);
if (kind === 'lambda') await import('node:http');

async function setUp(name) {
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
  for (let index = 0; index < spanCount; index += 1) {
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
  warm100.push(await timedFlush(100));
}
const median = (values) =>
  values.length === 0 ? null : [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
process.stdout.write(
  `${JSON.stringify({ firstMs, warm10Ms: median(warm10), warm100Ms: median(warm100) })}\n`,
);
process.exit(0);
