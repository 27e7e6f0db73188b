// Per-message consumer cost in one process: argv = variant, batch size, measured batches.
// Every variant runs the same work per message; the traced ones export to a no-op exporter.
import { lambdaContext, sqsEvent } from '../lib/lambda.mjs';
import { NoopExporter } from '../lib/noop-exporter.mjs';
import { processOrder } from '../fixtures/work.mjs';

const [variant, batchArg, batchesArg] = process.argv.slice(2);
const batchSize = Number(batchArg);
const batches = Number(batchesArg);
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
// Fresh events per batch (distinct trace ids), built before the clock starts.
const warmup = Math.max(3, Math.ceil(2_000 / batchSize));
const events = Array.from({ length: warmup + batches }, () => sqsEvent(batchSize));
const context = lambdaContext();
for (const event of events.slice(0, warmup)) await handler(event, context);
const start = process.hrtime.bigint();
for (const event of events.slice(warmup)) await handler(event, context);
const elapsedNs = Number(process.hrtime.bigint() - start);
process.stdout.write(
  `${JSON.stringify({ usPerMessage: elapsedNs / 1_000 / (batches * batchSize), spans: exporter.exported })}\n`,
);
