import type { FrontRequest, Reply } from './front.js';

/**
 * fauxqs names queues `http://sqs.<region>.localhost:<port>/<account>/<name>` and finds them
 * by that exact URL. Nothing guarantees that `*.localhost` resolves on a machine (glibc does not
 * resolve it here), and the SDK sends requests to a queue URL's own host when it differs from an
 * endpoint taken from `AWS_ENDPOINT_URL_SQS`. So the front hands out `http://127.0.0.1:<port>/…`
 * URLs and translates them back before fauxqs sees them.
 */
const LOOPBACK_QUEUE_URL = /^http:\/\/127\.0\.0\.1:(\d+)\//;
const FAUXQS_QUEUE_URL = /http:\/\/sqs\.[a-z0-9-]+\.localhost:(\d+)\//g;
/** Region of a SigV4 credential scope: `Credential=<key>/<date>/<region>/sqs/aws4_request`. */
const CREDENTIAL_REGION = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//;
const DEFAULT_REGION = 'us-east-1';

/** Operations whose responses carry queue URLs (SQS API Reference). */
const URL_RESPONSES = new Set([
  'AmazonSQS.CreateQueue',
  'AmazonSQS.GetQueueUrl',
  'AmazonSQS.ListQueues',
  'AmazonSQS.ListDeadLetterSourceQueues',
]);

function regionOf(request: FrontRequest): string {
  const authorization = request.headers.authorization ?? '';
  return CREDENTIAL_REGION.exec(authorization)?.[1] ?? DEFAULT_REGION;
}

/** An SQS JSON-protocol request and its body, parsed once by the front. */
export interface SqsCall {
  readonly request: FrontRequest;
  readonly input: Record<string, unknown>;
}

/**
 * The call with a loopback `QueueUrl` turned into the URL fauxqs knows the queue by, in the
 * parsed input and in the body forwarded.
 *
 * @example
 * ```ts
 * const call = toFauxqsQueueUrl({ request, input: parsedBody });
 * ```
 */
export function toFauxqsQueueUrl(call: SqsCall): SqsCall {
  const queueUrl = call.input.QueueUrl;
  if (typeof queueUrl !== 'string' || !LOOPBACK_QUEUE_URL.test(queueUrl)) return call;
  const translated = queueUrl.replace(
    LOOPBACK_QUEUE_URL,
    `http://sqs.${regionOf(call.request)}.localhost:$1/`,
  );
  const input = { ...call.input, QueueUrl: translated };
  return { request: { ...call.request, body: Buffer.from(JSON.stringify(input)) }, input };
}

/** The response with fauxqs's queue URLs turned into loopback ones, for the operations that list them. */
export function toLoopbackQueueUrls(target: string, reply: Reply): Reply {
  if (!URL_RESPONSES.has(target)) return reply;
  const text = reply.body.toString('utf8');
  const translated = text.replace(FAUXQS_QUEUE_URL, 'http://127.0.0.1:$1/');
  return translated === text ? reply : { ...reply, body: Buffer.from(translated) };
}
