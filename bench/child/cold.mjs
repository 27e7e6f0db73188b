// One cold start: imports a consumer, runs one invocation with one SQS message, reports and exits.
// The event is built before the import so that only the consumer's own cost is measured.
// Lambda's Node.js runtime client loads node:http (and with it node:net) before it imports the
// handler (aws-lambda-nodejs-runtime-interface-client, src/client/rapid-client.ts), so every
// variant here starts with them loaded too: an exporter on either pays nothing to load it.
import 'node:http';
import { pathToFileURL } from 'node:url';
import { lambdaContext, sqsEvent } from '../lib/lambda.mjs';

// The monotonic clock without the `performance` global: its first access loads node:perf_hooks
// (about 0.5 ms), a cost the consumer must be seen to pay itself if it uses it.
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

const event = sqsEvent(1);
const beforeImport = monotonicMs();
const { handler } = await import(pathToFileURL(process.argv[2]).href);
const imported = monotonicMs();
await handler(event, lambdaContext());
const invoked = monotonicMs();
// performance.now() runs on the same clock as process.hrtime, so the end converts to epoch time.
const invocationEndEpochMs = performance.timeOrigin + performance.now() - (monotonicMs() - invoked);
process.stdout.write(
  `${JSON.stringify({
    invocationEndEpochMs,
    importMs: imported - beforeImport,
    invokeMs: invoked - imported,
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
process.exit(0);
