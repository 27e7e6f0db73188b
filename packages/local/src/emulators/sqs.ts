import http from 'node:http';

import { buildApp } from 'fauxqs';
import { MAX_SQS_SNS_MESSAGE_BYTES } from 'tracebridge';

import { EmulatorStartError } from './errors.js';
import { acceptSqsBodyCharacters } from './fauxqs-body-check.js';
import { answer, assertPort, closeServer, connectUpstream, forward, openFront } from './front.js';
import { LOOPBACK_HOST } from '../loopback.js';
import type { FrontRequest, Reply, Upstream } from './front.js';
import { isRecord, parseJson } from '../json.js';
import { toFauxqsQueueUrl, toLoopbackQueueUrls } from './queue-urls.js';
import type { SqsCall } from './queue-urls.js';
import type { RunningEmulator } from './running-emulator.js';
import { interceptPublish } from './sns.js';
import { interceptReceiveMessage } from './sqs-receive.js';
import { interceptSendMessage, interceptSendMessageBatch } from './sqs-send.js';
import { createTraceHeaderStore } from './trace-header.js';
import type { TraceHeaderStore } from './trace-header.js';

/**
 * Default size limit of an SQS message: 256 KiB. AWS raised SQS's maximum to 1 MiB in
 * 2025, but 256 KiB stays the default here because it is the limit a producer can still
 * meet (queues configured with it, SNS topics by default), so code that fits here fits
 * everywhere. Raise it with `maxMessageBytes`.
 */
export const DEFAULT_SQS_MAX_MESSAGE_BYTES = MAX_SQS_SNS_MESSAGE_BYTES;
const MIN_SQS_MESSAGE_BYTES = 1_024; // lower bound of a queue's MaximumMessageSize (CreateQueue)
const MAX_SQS_MESSAGE_BYTES = 1_048_576; // upper bound of a queue's MaximumMessageSize since 2025

/** Options of {@link startSqsEmulator}. */
export interface SqsEmulatorOptions {
  /** Port of the SQS and SNS endpoint on 127.0.0.1. Default 0: a free port. */
  readonly port?: number;
  /**
   * Largest message SQS accepts, counting the body and each attribute's name, data type and
   * value. From 1,024 to 1,048,576; default {@link DEFAULT_SQS_MAX_MESSAGE_BYTES}.
   */
  readonly maxMessageBytes?: number;
}

/** What the SQS front's request handlers share. */
export interface SqsFront {
  readonly upstream: Upstream;
  readonly traces: TraceHeaderStore;
  readonly maxMessageBytes: number;
}

/**
 * Starts fauxqs (SQS and SNS in memory) behind a front on 127.0.0.1 that adds what tracing
 * relies on and fauxqs lacks: the `AWSTraceHeader` system attribute (from the message or
 * the `X-Amzn-Trace-Id` header, also through SNS subscriptions), the 10-attribute quota,
 * and the message size limit counted as SQS counts it. SQS (AWS JSON protocol) and SNS
 * calls share the endpoint, so `AWS_ENDPOINT_URL_SQS` and `AWS_ENDPOINT_URL_SNS` can both
 * point at it.
 *
 * @throws {@link EmulatorStartError} when an option is out of range or a port is taken.
 *
 * @example
 * ```ts
 * const sqs = await startSqsEmulator();
 * const client = new SQSClient({
 *   endpoint: sqs.endpoint,
 *   region: 'us-east-1',
 *   credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
 * });
 * await client.send(new CreateQueueCommand({ QueueName: 'orders' }));
 * await sqs.close();
 * ```
 */
export async function startSqsEmulator(options: SqsEmulatorOptions = {}): Promise<RunningEmulator> {
  const port = options.port ?? 0;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_SQS_MAX_MESSAGE_BYTES;
  assertPort(port, 'SQS emulator');
  assertMessageLimit(maxMessageBytes);

  await acceptSqsBodyCharacters();
  // Started through buildApp() because startFauxqs() listens on 0.0.0.0.
  const fauxqs = buildApp({ logger: false });
  let fauxqsAddress: string;
  try {
    fauxqsAddress = await fauxqs.listen({ host: LOOPBACK_HOST, port: 0 });
  } catch (cause) {
    throw new EmulatorStartError(`Could not start fauxqs on ${LOOPBACK_HOST}.`, { cause });
  }
  const front: SqsFront = {
    upstream: connectUpstream(Number(new URL(fauxqsAddress).port)),
    traces: createTraceHeaderStore(),
    maxMessageBytes,
  };
  const server = http.createServer((req, res) => {
    void answer(req, res, (request) => route(front, request));
  });

  return openFront(
    {
      server,
      async close() {
        const closed = closeServer(server);
        server.closeAllConnections();
        await closed;
      },
    },
    port,
    'SQS emulator',
    async () => {
      await fauxqs.close();
      front.upstream.agent.destroy();
    },
  );
}

// SQS speaks the AWS JSON protocol, naming the operation in X-Amz-Target; SNS speaks the
// query protocol, a form naming it in `Action`. A JSON body is parsed here, once.
async function route(front: SqsFront, request: FrontRequest): Promise<Reply> {
  const target = request.headers['x-amz-target'];
  if (typeof target !== 'string') return routeQuery(front, request);
  const input = parseJson(request.body);
  if (!isRecord(input)) return toLoopbackQueueUrls(target, await routeQuery(front, request));
  const call = toFauxqsQueueUrl({ request, input });
  return toLoopbackQueueUrls(target, await routeJson(front, target, call));
}

function routeJson(front: SqsFront, target: string, call: SqsCall): Promise<Reply> {
  const contentType = call.request.headers['content-type'] ?? '';
  if (contentType.includes('application/x-amz-json-1.0')) {
    switch (target) {
      case 'AmazonSQS.SendMessage':
        return interceptSendMessage(front, call);
      case 'AmazonSQS.SendMessageBatch':
        return interceptSendMessageBatch(front, call);
      case 'AmazonSQS.ReceiveMessage':
        return interceptReceiveMessage(front, call);
    }
  }
  return routeQuery(front, call.request);
}

function routeQuery(front: SqsFront, request: FrontRequest): Promise<Reply> {
  const contentType = request.headers['content-type'] ?? '';
  return contentType.includes('application/x-www-form-urlencoded')
    ? interceptPublish(front, request)
    : forward(front.upstream, request);
}

function assertMessageLimit(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes < MIN_SQS_MESSAGE_BYTES || bytes > MAX_SQS_MESSAGE_BYTES) {
    throw new EmulatorStartError(
      `maxMessageBytes must be an integer from ${MIN_SQS_MESSAGE_BYTES} to ${MAX_SQS_MESSAGE_BYTES} ` +
        `(the range of an SQS queue's MaximumMessageSize), got ${String(bytes)}.`,
    );
  }
}
