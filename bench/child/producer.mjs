// Producer cost, ESM: argv = variant, measured calls. "none" is an untraced client, "carriers"
// an untraced client sending entries that already carry tracebridge's attributes (the SDK's
// share of the cost), "tracebridge" a client with tracePropagation().
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NoopExporter } from '../lib/noop-exporter.mjs';
import { timeSends } from '../lib/producer-loop.cjs';
import { entries, entriesCarrying, stubbedClientOptions } from '../lib/sqs-stub.mjs';

const [variant, callsArg] = process.argv.slice(2);
const exporter = new NoopExporter();
const client = new SQSClient(stubbedClientOptions());
let flush = () => Promise.resolve();
if (variant === 'tracebridge') {
  const { tracePropagation } = await import('tracebridge');
  const { initTracing } = await import('tracebridge/setup');
  const tracing = initTracing({ serviceName: 'orders-producer', exporters: [exporter] });
  flush = () => tracing.forceFlush();
  client.middlewareStack.use(tracePropagation());
}
const sent = variant === 'carriers' ? entriesCarrying('w3c+xray') : entries;
await timeSends(client, SendMessageBatchCommand, sent, Number(callsArg), async () => {
  await flush();
  return exporter.exported;
});
