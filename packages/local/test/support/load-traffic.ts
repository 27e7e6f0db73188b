// The producing side of the load suite: payloads of every shape the consumers must hand over
// byte for byte, sent with the official SDK clients and tracebridge's tracePropagation(), each
// span counted as it ends and exported over OTLP to the runtime's collector.

import { createHash } from 'node:crypto';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { tracePropagation } from 'tracebridge';

import { LOCAL_CLIENT_CONFIG } from '../../src/mappings/clients.js';
import { isPoison, POISON_ATTRIBUTE } from '../fixtures/load/src/faults.js';

/** Most entries of one SendMessageBatch (SQS API Reference). */
const SQS_BATCH_ENTRIES = 10;
/** Entries per PutRecords; the API takes up to 500. */
const KINESIS_BATCH_ENTRIES = 100;
/** Calls in flight at once per service. */
const SEND_CONCURRENCY = 4;
/** Longest filler text of a payload, in characters. */
const MAX_FILLER_CHARS = 1_500;
// Characters of one, two, three and four UTF-8 bytes, JSON escapes and whitespace; all of them
// valid in an SQS body.
const FILLER_ALPHABET = ['a', 'Z', '7', ' ', 'é', 'ß', '€', '中', '𝄞', '😀', '"', '\\', '\n', '\t'];

/** A span of the producing side, as the counting processor saw it end. */
export interface ProducedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly name: string;
  /** `messaging.message.id`: the SQS message id or the Kinesis sequence number. */
  readonly messageId: string | undefined;
}

/** A message the emulator accepted. */
export interface SentMessage {
  /** The id the consumer sees: SQS message id, or Kinesis `eventID` (`shardId:sequenceNumber`). */
  readonly id: string;
  /** The id the producer span records: SQS message id, or Kinesis sequence number. */
  readonly producerId: string;
  readonly sha256: string;
  /** SQS only: marked to fail on every attempt. */
  readonly poison: boolean;
  /** Kinesis only: the shard and the sequence number, for the order check. */
  readonly shardId?: string;
  readonly sequenceNumber?: string;
}

/** Counts every span that ends and keeps what the checks need of it. */
class CountingSpanProcessor implements SpanProcessor {
  readonly spans: ProducedSpan[] = [];

  onStart(): void {
    // Counted when they end: only ended spans are exported.
  }

  onEnd(span: ReadableSpan): void {
    if (span.kind !== SpanKind.PRODUCER) return;
    const messageId = span.attributes['messaging.message.id'];
    this.spans.push({
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
      name: span.name,
      messageId: typeof messageId === 'string' ? messageId : undefined,
    });
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The producer: SDK clients traced by tracePropagation(), exporting to the collector. */
export interface LoadProducer {
  /** Every PRODUCER span that ended, in the order they ended. */
  readonly spans: readonly ProducedSpan[];
  /** Spans of any kind that ended: what the collector must have received from this side. */
  spansEnded(): number;
  sendToQueue(queueUrl: string, count: number): Promise<SentMessage[]>;
  putToStream(streamName: string, count: number): Promise<SentMessage[]>;
  /** Exports every ended span and closes the clients. */
  close(): Promise<void>;
}

/**
 * Starts a producer whose spans go to `collectorEndpoint` over OTLP/HTTP protobuf.
 *
 * @example
 * ```ts
 * const producer = createLoadProducer(runtime.collector.endpoint, runtime.endpoints);
 * const sent = await producer.sendToQueue(queueUrl, 100);
 * await producer.close();
 * ```
 */
export function createLoadProducer(
  collectorEndpoint: string,
  endpoints: { readonly sqs: string; readonly kinesis: string },
): LoadProducer {
  const counter = new CountingSpanProcessor();
  let ended = 0;
  const tally: SpanProcessor = {
    onStart: () => undefined,
    onEnd: () => {
      ended += 1;
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'load-producer' }),
    spanProcessors: [
      counter,
      tally,
      // A queue larger than the run: a full queue drops spans, and the count must hold.
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${collectorEndpoint}/v1/traces` }), {
        maxQueueSize: 1_000_000,
        maxExportBatchSize: 2_000,
        scheduledDelayMillis: 200,
      }),
    ],
  });
  // One attempt per call: a retried send could put a message in twice.
  const common = { ...LOCAL_CLIENT_CONFIG, maxAttempts: 1 };
  const sqs = new SQSClient({ ...common, endpoint: endpoints.sqs });
  const kinesis = new KinesisClient({
    ...common,
    endpoint: endpoints.kinesis,
    requestHandler: new NodeHttpHandler(),
  });
  sqs.middlewareStack.use(tracePropagation({ tracerProvider: provider }));
  kinesis.middlewareStack.use(tracePropagation({ tracerProvider: provider, binaryEnvelope: true }));

  return {
    spans: counter.spans,
    spansEnded: () => ended,

    async sendToQueue(queueUrl, count) {
      const chunks = chunked(count, SQS_BATCH_ENTRIES);
      const sent = await inPool(chunks, async (indexes) => {
        const bodies = indexes.map((index) => payloadText('sqs', index));
        const output = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: bodies.map((body, entry) => ({
              Id: String(entry),
              MessageBody: body,
              MessageAttributes: isPoison(indexes[entry] ?? 0)
                ? { [POISON_ATTRIBUTE]: { DataType: 'String', StringValue: 'true' } }
                : undefined,
            })),
          }),
        );
        if ((output.Failed ?? []).length > 0) {
          throw new Error(`SendMessageBatch refused entries: ${JSON.stringify(output.Failed)}`);
        }
        return (output.Successful ?? []).map((entry): SentMessage => {
          const entryIndex = Number(entry.Id);
          const body = bodies[entryIndex] ?? '';
          const id = entry.MessageId ?? '';
          return {
            id,
            producerId: id,
            sha256: sha256Hex(Buffer.from(body)),
            poison: isPoison(indexes[entryIndex] ?? 0),
          };
        });
      });
      return sent.flat();
    },

    async putToStream(streamName, count) {
      const chunks = chunked(count, KINESIS_BATCH_ENTRIES);
      const sent = await inPool(chunks, async (indexes) => {
        const data = indexes.map((index) => payloadBytes('kinesis', index));
        const output = await kinesis.send(
          new PutRecordsCommand({
            StreamName: streamName,
            Records: data.map((bytes, entry) => ({
              Data: bytes,
              PartitionKey: `key-${indexes[entry] ?? entry}`,
            })),
          }),
        );
        if ((output.FailedRecordCount ?? 0) > 0) {
          throw new Error(`PutRecords refused ${output.FailedRecordCount ?? 0} records`);
        }
        return (output.Records ?? []).map((record, entry): SentMessage => {
          const shardId = record.ShardId ?? '';
          const sequenceNumber = record.SequenceNumber ?? '';
          return {
            id: `${shardId}:${sequenceNumber}`,
            producerId: sequenceNumber,
            sha256: sha256Hex(data[entry] ?? new Uint8Array()),
            poison: false,
            shardId,
            sequenceNumber,
          };
        });
      });
      return sent.flat();
    },

    async close() {
      await provider.forceFlush();
      await provider.shutdown();
      sqs.destroy();
      kinesis.destroy();
    },
  };
}

/**
 * The payload of message `index`, of one of five shapes: JSON objects (compact, spaced, with
 * leading whitespace, with integers above 2^53), and text that is not JSON. Kinesis gets raw
 * bytes instead of text for one shape, invalid UTF-8 included.
 */
export function payloadBytes(service: 'sqs' | 'kinesis', index: number): Uint8Array {
  if (service === 'kinesis' && index % 5 === 4) {
    const length = 1 + (seedOf(service, index) % MAX_FILLER_CHARS);
    const bytes = new Uint8Array(length);
    let block = createHash('sha256').update(`${service}:${index}`).digest();
    for (let at = 0; at < length; at++) {
      if (at % block.length === 0 && at > 0) block = createHash('sha256').update(block).digest();
      bytes[at] = block[at % block.length] ?? 0;
    }
    return bytes;
  }
  return Buffer.from(payloadText(service, index));
}

function payloadText(service: 'sqs' | 'kinesis', index: number): string {
  const seed = seedOf(service, index);
  let filler = '';
  for (let at = 0; at < seed % MAX_FILLER_CHARS; at++) {
    filler += FILLER_ALPHABET[(seed + at * 7) % FILLER_ALPHABET.length] ?? '';
  }
  const rest = JSON.stringify({ service, index, filler, items: [seed % 97, { nested: true }] });
  switch (index % 5) {
    case 0:
      return `{"id":${index},"total":123456789012345678901,${rest.slice(1)}`;
    case 1:
      return JSON.stringify(JSON.parse(rest), null, 2);
    case 2:
      return ` \n\t${rest}\n`;
    case 3:
      return `{}`;
    default:
      return `message ${index}: ${filler}`;
  }
}

function seedOf(service: string, index: number): number {
  return createHash('sha256').update(`${service}:${index}`).digest().readUInt32BE(0);
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function chunked(count: number, size: number): number[][] {
  const chunks: number[][] = [];
  for (let start = 0; start < count; start += size) {
    chunks.push(Array.from({ length: Math.min(size, count - start) }, (_, at) => start + at));
  }
  return chunks;
}

async function inPool<Item, Result>(
  items: readonly Item[],
  work: (item: Item) => Promise<Result>,
): Promise<Result[]> {
  const results: Result[] = new Array<Result>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as Item);
    }
  };
  await Promise.all(Array.from({ length: SEND_CONCURRENCY }, worker));
  return results;
}
