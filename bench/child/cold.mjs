// One cold start: imports a consumer, runs one invocation with one SQS message, reports and exits.
// The event is built before the import so that only the consumer's own cost is measured.
// Lambda's Node.js runtime client loads node:http (and with it node:net) before it imports the
// handler (aws-lambda-nodejs-runtime-interface-client, src/client/rapid-client.ts), so every
// variant here starts with them loaded too: an exporter on either pays nothing to load it.
import 'node:http';
import { pathToFileURL } from 'node:url';
import { lambdaContext, sqsEvent } from '../lib/lambda.mjs';

const event = sqsEvent(1);
const beforeImport = performance.now();
const { handler } = await import(pathToFileURL(process.argv[2]).href);
const imported = performance.now();
await handler(event, lambdaContext());
const invoked = performance.now();
process.stdout.write(
  `${JSON.stringify({
    invocationEndEpochMs: performance.timeOrigin + invoked,
    importMs: imported - beforeImport,
    invokeMs: invoked - imported,
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
process.exit(0);
