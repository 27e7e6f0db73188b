import kinesalite from 'kinesalite';

import { createDualProtocolServer } from './dual-protocol.js';
import {
  answer,
  assertPort,
  closeServer,
  connectUpstream,
  forward,
  listenOnLoopback,
  openFront,
} from './front.js';
import type { FrontRequest } from './front.js';
import { isRecord, parseJson } from '../json.js';
import type { RunningEmulator } from './running-emulator.js';

// arn:<partition>:kinesis:<region>:<account>:stream/<name> (Kinesis API Reference, StreamARN)
const STREAM_ARN = /^arn:[\w-]+:kinesis:[\w-]*:\d*:stream\/([\w.-]+)$/;

/** Options of {@link startKinesisEmulator}. */
export interface KinesisEmulatorOptions {
  /** Port of the Kinesis endpoint on 127.0.0.1. Default 0: a free port. */
  readonly port?: number;
}

/**
 * Starts kinesalite (Kinesis Data Streams in memory) behind a front on 127.0.0.1 that
 * speaks cleartext HTTP/2, which a default `KinesisClient` uses, as well as HTTP/1.1, and
 * forwards to kinesalite over HTTP/1.1. Streams are ACTIVE as soon as they are created.
 * kinesalite knows streams only by name, so the front turns a JSON request's `StreamARN`
 * into `StreamName`, and calls by ARN work too.
 *
 * @throws {@link EmulatorStartError} when the port is out of range or taken.
 *
 * @example
 * ```ts
 * const kinesis = await startKinesisEmulator();
 * const client = new KinesisClient({
 *   endpoint: kinesis.endpoint,
 *   region: 'us-east-1',
 *   credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
 * });
 * await client.send(new CreateStreamCommand({ StreamName: 'events', ShardCount: 2 }));
 * await kinesis.close();
 * ```
 */
export async function startKinesisEmulator(
  options: KinesisEmulatorOptions = {},
): Promise<RunningEmulator> {
  const port = options.port ?? 0;
  assertPort(port, 'Kinesis emulator');

  // No LevelDB path: streams live in memory. No state delays: tests need not wait.
  const kinesaliteServer = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
  const upstream = connectUpstream(
    await listenOnLoopback(kinesaliteServer, 0, 'kinesalite server'),
  );
  // kinesalite throws, and takes the process down, when its store closes under a request
  // in progress, so close() lets those finish first.
  const inProgress = new Set<Promise<void>>();
  const front = createDualProtocolServer((req, res) => {
    const served = answer(req, res, (request) => forward(upstream, withStreamName(request)));
    inProgress.add(served);
    void served.then(() => inProgress.delete(served));
  });

  return openFront(
    {
      server: front.server,
      async close() {
        await front.close();
        await Promise.all(inProgress);
      },
    },
    port,
    'Kinesis emulator',
    async () => {
      upstream.agent.destroy();
      await closeServer(kinesaliteServer);
    },
  );
}

function withStreamName(request: FrontRequest): FrontRequest {
  const input = parseJson(request.body);
  if (!isRecord(input) || typeof input.StreamARN !== 'string') return request;
  const streamName = STREAM_ARN.exec(input.StreamARN)?.[1];
  if (streamName === undefined) return request;
  const rest = Object.fromEntries(Object.entries(input).filter(([key]) => key !== 'StreamARN'));
  const body = JSON.stringify({ ...rest, StreamName: rest.StreamName ?? streamName });
  return { ...request, body: Buffer.from(body) };
}
