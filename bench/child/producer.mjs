// Producer cost, ESM: argv = variant ("none" or "tracebridge"), measured calls.
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NoopExporter } from '../lib/noop-exporter.mjs';
import { timeSends } from '../lib/producer-loop.cjs';
import { entries, stubbedClientOptions } from '../lib/sqs-stub.mjs';

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
await timeSends(client, SendMessageBatchCommand, entries, Number(callsArg), async () => {
  await flush();
  return exporter.exported;
});
