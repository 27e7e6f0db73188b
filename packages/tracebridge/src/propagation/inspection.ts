import { type Context, ROOT_CONTEXT, type SpanContext } from '@opentelemetry/api';
import { ContextCarrier, type ContextFormat, type FoundContext } from './extracted.js';
import { encodeUtf8, stringifyJson } from './json-text.js';

/** The kind of Lambda event record, by its event source. */
export const RecordSource = {
  SQS: 'aws:sqs',
  SNS: 'aws:sns',
  KINESIS: 'aws:kinesis',
  DYNAMODB: 'aws:dynamodb',
  EVENTBRIDGE: 'aws.events',
  UNKNOWN: 'unknown',
} as const;
export type RecordSource = (typeof RecordSource)[keyof typeof RecordSource];

/** What an SQS record's body turned out to hold. */
export const WrappedEvent = {
  SNS: 'sns',
  EVENTBRIDGE: 'eventbridge',
} as const;
export type WrappedEvent = (typeof WrappedEvent)[keyof typeof WrappedEvent];

/** The trace context of a Lambda event record and where it came from. */
export interface RecordContext {
  /** An empty context with the producer's span (and baggage) set, or `ROOT_CONTEXT` when none was found. */
  readonly context: Context;
  /** The producer's span context, or `undefined` when the record starts a new trace. */
  readonly spanContext: SpanContext | undefined;
  /** The format the context was read in; `undefined` when none was found. */
  readonly format: ContextFormat | undefined;
  /** Where in the record the context was found. */
  readonly carrier: ContextCarrier;
  /** The record's event source. */
  readonly recordSource: RecordSource;
  /** For SQS records: the SNS notification or EventBridge event the body holds, if any. */
  readonly wrapped: WrappedEvent | undefined;
}

/** The payload of a record as the producer's code wrote it. */
export interface RecordPayload {
  /** The payload bytes, byte-for-byte what the producer sent. */
  readonly bytes: Uint8Array;
  /** The payload decoded as UTF-8 (invalid sequences become U+FFFD). */
  readonly text: string;
}

/** Everything read from one record in a single pass: its context and its payload. */
export interface RecordInspection {
  readonly context: RecordContext;
  readonly payload: RecordPayload;
}

/**
 * Lenient, unlike json-text's decoder: a payload's text turns invalid UTF-8 into U+FFFD. Made on
 * first use, like that one: only byte payloads are decoded, and the first decoder of a process
 * costs about 0.1 ms to construct.
 */
let lenientDecoder: InstanceType<typeof TextDecoder> | undefined;

/**
 * A payload that converts between text and bytes only when asked, and once. A class, not an
 * object literal with getters: Node 20 builds such a literal about 20 times slower (0.6 µs
 * against 0.03 µs, measured), and every consumed record gets a payload.
 */
class LazyPayload implements RecordPayload {
  #text: string | undefined;
  #bytes: Uint8Array | undefined;

  constructor(text: string | undefined, bytes: Uint8Array | undefined) {
    this.#text = text;
    this.#bytes = bytes;
  }

  get bytes(): Uint8Array {
    this.#bytes ??= encodeUtf8(this.#text ?? '');
    return this.#bytes;
  }

  get text(): string {
    if (this.#text === undefined) {
      lenientDecoder ??= new TextDecoder('utf-8');
      this.#text = lenientDecoder.decode(this.#bytes);
    }
    return this.#text;
  }
}

/** A payload that converts between text and bytes only when asked, and once. */
export function lazyPayload(initial: { text: string } | { bytes: Uint8Array }): RecordPayload {
  return 'text' in initial
    ? new LazyPayload(initial.text, undefined)
    : new LazyPayload(undefined, initial.bytes);
}

/**
 * The payload of an event Lambda has already parsed (EventBridge `detail`, a DynamoDB image),
 * serialised again as JSON, at any depth.
 */
export function serialisedPayload(value: unknown): RecordPayload {
  return lazyPayload({ text: stringifyJson(value) });
}

/** Builds a {@link RecordContext} from what an inspection found. */
export function recordContext(
  found: FoundContext | undefined,
  recordSource: RecordSource,
  wrapped?: WrappedEvent,
): RecordContext {
  return {
    context: found?.extracted.context ?? ROOT_CONTEXT,
    spanContext: found?.extracted.spanContext,
    format: found?.extracted.format,
    carrier: found?.carrier ?? ContextCarrier.NONE,
    recordSource,
    wrapped,
  };
}
