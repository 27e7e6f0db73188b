// Flush cost in one new process: argv = variant, process kind, warm repetitions, steady warm-up,
// steady repetitions, raw body bytes. Ends 10 spans and times the first flush to the loopback
// receiver, then times warm flushes of 10 and 100 spans, then, after `steady warm-up` more
// untimed flushes, `steady repetitions` 10-span flushes once more.
// A "lambda" process loads node:http first, as Lambda's runtime client does before it imports the
// handler (see cold.mjs); a "bare" one leaves every module to the exporter.
// The "raw" variant is the floor: the same POST written by hand on one node:net connection, with a
// body of `raw body bytes` (the size of tracebridge's 10-span export), and no spans at all.
import { summary } from '../lib/stats.mjs';

const [variant, kind, ...counts] = process.argv.slice(2);
const [reps, steadyWarmUp, steadyReps, rawBodyBytes] = counts.map(Number);
if (kind === 'lambda') await import('node:http');

/** One keep-alive connection that POSTs a fixed body and waits for the receiver's whole answer. */
async function rawPoster() {
  const net = await import('node:net');
  const url = new URL(`${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`);
  const body = Buffer.alloc(rawBodyBytes, 0x2a);
  const head = `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/x-protobuf\r\ncontent-length: ${body.length}\r\n\r\n`;
  let socket;
  let answered;
  let received = '';
  return () =>
    new Promise((resolve, reject) => {
      if (!socket) {
        socket = net.connect(Number(url.port), url.hostname);
        socket.setNoDelay(true);
        socket.on('data', (chunk) => {
          received += chunk.toString('latin1');
          // The receiver answers chunked: the answer ends with the empty last chunk.
          if (received.endsWith('\r\n0\r\n\r\n')) {
            received = '';
            answered();
          }
        });
        socket.on('error', (error) => answered(error));
      }
      answered = (error) => (error ? reject(error) : resolve());
      socket.cork();
      socket.write(head, 'latin1');
      socket.write(body);
      socket.uncork();
    });
}

async function setUp(name) {
  if (name === 'raw') return { flush: await rawPoster() };
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
