// Per-message consumer cost in one process: argv = variant, batch size, warm-up batches, measured
// batches, steady warm-up batches, steady batches. Times the measured batches after the warm-up
// (a function environment's first invocations), then, after the steady warm-up's untimed
// batches, times the steady batches (a busy environment). Those two reuse the events in turn.
// Every variant runs the same work per message; the traced ones export to a no-op exporter.
import { lambdaContext, sqsEvent } from '../lib/lambda.mjs';
import { NoopExporter } from '../lib/noop-exporter.mjs';
import { processOrder } from '../fixtures/work.mjs';

const [variant, ...counts] = process.argv.slice(2);
const [batchSize, warmUp, batches, steadyWarmUp, steadyBatches] = counts.map(Number);
const exporter = new NoopExporter();

async function handlerOf(name) {
  if (name === 'none') return (await import('../fixtures/none.mjs')).handler;
  if (name === 'tracebridge') {
    const { tracedRecordHandler } = await import('tracebridge');
    const { initTracing } = await import('tracebridge/setup');
    initTracing({ serviceName: 'orders-consumer', exporters: [exporter] });
    return tracedRecordHandler((payload, _record, span) => {
      processOrder(payload.text, span);
    });
  }
  if (name === 'official') {
    const { officialHandler, setUpOfficial } = await import('../fixtures/official-setup.mjs');
    return officialHandler(setUpOfficial(exporter), processOrder);
  }
  throw new Error(`unknown variant ${name}`);
}

const handler = await handlerOf(variant);
// Fresh events for each warm-up and measured batch (distinct trace ids), built before the clock
// starts.
const events = Array.from({ length: warmUp + batches }, () => sqsEvent(batchSize));
const context = lambdaContext();
for (const event of events.slice(0, warmUp)) await handler(event, context);

/** Microseconds per message of handling `count` batches, the events taken in turn from `first`. */
async function timed(first, count) {
  const start = process.hrtime.bigint();
  for (let index = 0; index < count; index += 1) {
    await handler(events[first + (index % (events.length - first))], context);
  }
  return Number(process.hrtime.bigint() - start) / 1_000 / (count * batchSize);
}

const usPerMessage = await timed(warmUp, batches);
await timed(0, steadyWarmUp);
const steadyUsPerMessage = steadyBatches > 0 ? await timed(0, steadyBatches) : undefined;
process.stdout.write(
  `${JSON.stringify({ usPerMessage, steadyUsPerMessage, spans: exporter.exported })}\n`,
);
