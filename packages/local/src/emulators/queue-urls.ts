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

/** The request with a loopback `QueueUrl` turned into the URL fauxqs knows the queue by. */
export function toFauxqsQueueUrl(request: FrontRequest): FrontRequest {
  if (!request.body.includes('"QueueUrl"')) return request;
  let body: unknown;
  try {
    body = JSON.parse(request.body.toString('utf8'));
  } catch {
    return request;
  }
  if (typeof body !== 'object' || body === null || !('QueueUrl' in body)) return request;
  const queueUrl = body.QueueUrl;
  if (typeof queueUrl !== 'string' || !LOOPBACK_QUEUE_URL.test(queueUrl)) return request;
  const translated = queueUrl.replace(
    LOOPBACK_QUEUE_URL,
    `http://sqs.${regionOf(request)}.localhost:$1/`,
  );
  return { ...request, body: Buffer.from(JSON.stringify({ ...body, QueueUrl: translated })) };
}

/** The response with fauxqs's queue URLs turned into loopback ones, for the operations that list them. */
export function toLoopbackQueueUrls(target: string, reply: Reply): Reply {
  if (!URL_RESPONSES.has(target)) return reply;
  const text = reply.body.toString('utf8');
  const translated = text.replace(FAUXQS_QUEUE_URL, 'http://127.0.0.1:$1/');
  return translated === text ? reply : { ...reply, body: Buffer.from(translated) };
}
