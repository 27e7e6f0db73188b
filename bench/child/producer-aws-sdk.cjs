// Producer cost, CommonJS: argv = variant, measured calls. "none" is an untraced client,
// "carriers" an untraced client sending entries that already carry the instrumentation's
// attribute (the SDK's share of the cost), "aws-sdk" a client under the instrumentation. The
// instrumentation patches the SDK through a require hook, so it is registered before the
// client is required, as the ADOT layer does.
'use strict';

const { context, propagation, trace } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { AwsInstrumentation } = require('@opentelemetry/instrumentation-aws-sdk');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { timeSends } = require('../lib/producer-loop.cjs');
const { entries, entriesCarrying, stubbedClientOptions } = require('../lib/sqs-stub.cjs');

const [variant, callsArg] = process.argv.slice(2);
let exported = 0;
let flush = () => Promise.resolve();
const exporter = {
  export: (spans, done) => {
    exported += spans.length;
    done({ code: 0 });
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
if (variant === 'aws-sdk') {
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  flush = () => provider.forceFlush();
  registerInstrumentations({ instrumentations: [new AwsInstrumentation()] });
}
const { SendMessageBatchCommand, SQSClient } = require('@aws-sdk/client-sqs');

const client = new SQSClient(stubbedClientOptions());
const sent = variant === 'carriers' ? entriesCarrying('w3c') : entries;
timeSends(client, SendMessageBatchCommand, sent, Number(callsArg), async () => {
  await flush();
  return exported;
}).catch((error) => {
  process.stderr.write(`${String(error && error.stack)}\n`);
  process.exit(1);
});
