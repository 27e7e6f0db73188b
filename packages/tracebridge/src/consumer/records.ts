import {
  context as otelContext,
  type Link,
  type Span,
  SpanKind,
  trace,
  type TextMapPropagator,
} from '@opentelemetry/api';
import type { Context as LambdaContext, SQSBatchItemFailure, SQSBatchResponse } from 'aws-lambda';
import { recordFailure } from '../propagation/diag.js';
import {
  RecordSource,
  type RecordInspection,
  type RecordPayload,
} from '../propagation/inspection.js';
import { isPlainRecord, ownProperty, w3cPropagator } from '../propagation/propagator.js';
import { inspectRecordOf, recordSourceOf } from '../propagation/record.js';
import { guardTimeout } from './flush.js';
import { triggerOf } from './handler.js';
import {
  type InvocationOptions,
  messageLinks,
  startInvocationSpan,
  wrapperTracer,
} from './invocation.js';
import {
  describeRecord,
  processSpanName,
  type RecordDescription,
  recordAttributes,
} from './record-attributes.js';

/** Called once per record, inside the record span's context. */
export type RecordFunction<Record = unknown> = (
  payload: RecordPayload,
  record: Record,
  span: Span,
) => unknown;

/** Options of {@link tracedRecordHandler}. */
export interface TracedRecordHandlerOptions extends InvocationOptions {
  /** Kind of each record span: SERVER by default, so that X-Ray makes a segment of it. */
  readonly recordSpanKind?: 'server' | 'consumer';
  /**
   * Parent of each record span: the message's context (the default, continuing the producer's
   * trace) or the invocation span, with the message's context as a link.
   */
  readonly recordParent?: 'message' | 'invocation';
  /** Records of a standard SQS queue processed at once; 1 (in order) by default. */
  readonly concurrency?: number;
  /** Propagator that reads W3C-style text maps; W3C Trace Context and Baggage by default. */
  readonly propagator?: TextMapPropagator;
}

/** The response Lambda's `ReportBatchItemFailures` reads; the same shape for every source. */
export type BatchResponse = SQSBatchResponse;

interface PreparedRecord {
  readonly record: unknown;
  readonly inspection: RecordInspection;
  readonly description: RecordDescription;
}

/**
 * Processes one record: its error, or `undefined`, or a promise of either when the record
 * function returned one (a synchronous record function gets no promise at all).
 */
type ProcessRecord = (item: PreparedRecord) => unknown;

/** What processing a batch needs to know beyond its records. */
interface BatchRun {
  readonly prepared: readonly PreparedRecord[];
  readonly process: ProcessRecord;
}

function recordsOf(event: unknown): unknown[] {
  const records = ownProperty(event, 'Records');
  if (Array.isArray(records)) return records as unknown[];
  return isPlainRecord(event) ? [event] : [];
}

function isFifo(prepared: readonly PreparedRecord[]): boolean {
  return prepared.some(
    (item) =>
      item.description.messageGroupId !== undefined ||
      item.description.destination.endsWith('.fifo'),
  );
}

/**
 * Runs `process` over `items` in order, one at a time, keeping each result at its index. Runs
 * synchronously as long as the record function returns no promise: no promise, await or
 * microtask per batch in the common case of a synchronous record function.
 */
function mapInOrder(
  items: readonly PreparedRecord[],
  process: ProcessRecord,
): unknown[] | Promise<unknown[]> {
  const results: unknown[] = [];
  for (const item of items) {
    const result = process(item);
    if (result instanceof Promise) return finishInOrder(items, process, results, result);
    results.push(result);
  }
  return results;
}

/** {@link mapInOrder} from the first record function that returned a promise on. */
async function finishInOrder(
  items: readonly PreparedRecord[],
  process: ProcessRecord,
  results: unknown[],
  pending: Promise<unknown>,
): Promise<unknown[]> {
  results.push(await pending);
  for (const item of items.slice(results.length)) {
    const result = process(item);
    // Only a record function that returned a promise is waited for.
    results.push(result instanceof Promise ? await result : result);
  }
  return results;
}

/** Runs `process` over `items`, `limit` at a time, keeping each result at its index. */
async function mapConcurrently(
  items: readonly PreparedRecord[],
  limit: number,
  process: ProcessRecord,
): Promise<unknown[]> {
  const failures: unknown[] = new Array<unknown>(items.length).fill(undefined);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      if (!item) continue;
      const result = process(item);
      // Only a record function that returned a promise is waited for.
      failures[index] = result instanceof Promise ? await result : result;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return failures;
}

/** Throws the application's own error unchanged, whatever it is. */
function rethrow(error: unknown): never {
  throw error;
}

/** The failures of a batch so far, as `batchItemFailures` names them. */
interface BatchFailures {
  readonly failures: SQSBatchItemFailure[];
  /** A failed or skipped record had no message id or sequence number to be named by. */
  unnamed: boolean;
  /** The error the first failed record threw (`null` is one; `undefined` is none). */
  firstError: unknown;
}

function reportFailure(batch: BatchFailures, id: string | undefined): void {
  if (id === undefined) batch.unnamed = true;
  else batch.failures.push({ itemIdentifier: id });
}

/**
 * Processes a batch as Lambda's partial batch response expects per source. `process` resolves
 * to the error a record threw, or `undefined`. Synchronous when every record function of a
 * standard queue, SNS or EventBridge batch processed one at a time returned no promise.
 */
function processBatch(
  run: BatchRun,
  source: RecordSource,
  concurrency: number,
): BatchFailures | Promise<BatchFailures> {
  const { prepared, process } = run;
  if (source === RecordSource.KINESIS || source === RecordSource.DYNAMODB) {
    return processStream(run);
  }
  if (source === RecordSource.SQS && isFifo(prepared)) return processFifo(run);
  const limit = source === RecordSource.SQS ? Math.max(1, Math.floor(concurrency)) : 1;
  const errors =
    limit === 1 ? mapInOrder(prepared, process) : mapConcurrently(prepared, limit, process);
  return errors instanceof Promise
    ? errors.then((list) => failuresOf(prepared, list))
    : failuresOf(prepared, errors);
}

/** The failures of a batch whose records were all processed, from each record's error. */
function failuresOf(prepared: readonly PreparedRecord[], errors: unknown[]): BatchFailures {
  const batch: BatchFailures = { failures: [], unnamed: false, firstError: undefined };
  errors.forEach((error, index) => {
    if (error === undefined) return;
    if (batch.firstError === undefined) batch.firstError = error;
    reportFailure(batch, prepared[index]?.description.failureId);
  });
  return batch;
}

/** Streams: Lambda retries from the first failed sequence number, so the rest must wait. */
async function processStream(run: BatchRun): Promise<BatchFailures> {
  const batch: BatchFailures = { failures: [], unnamed: false, firstError: undefined };
  for (const item of run.prepared) {
    const error = await run.process(item);
    if (error !== undefined) {
      reportFailure(batch, item.description.failureId);
      batch.firstError = error;
      return batch;
    }
  }
  return batch;
}

/** FIFO queues: a failed message blocks the rest of its group, which must be retried after it. */
async function processFifo(run: BatchRun): Promise<BatchFailures> {
  const batch: BatchFailures = { failures: [], unnamed: false, firstError: undefined };
  const failedGroups = new Set<string>();
  for (const item of run.prepared) {
    const group = item.description.messageGroupId ?? '';
    if (failedGroups.has(group)) {
      reportFailure(batch, item.description.failureId);
      continue;
    }
    const error = await run.process(item);
    if (error !== undefined) {
      failedGroups.add(group);
      reportFailure(batch, item.description.failureId);
      if (batch.firstError === undefined) batch.firstError = error;
    }
  }
  return batch;
}

/**
 * A complete Lambda handler for batch events: SQS (standard and FIFO), Kinesis, SNS,
 * EventBridge and DynamoDB Streams. Per record it starts a span named `process <destination>`
 * (kind SERVER by default, so X-Ray makes a segment of it) that continues the producer's trace,
 * links it to the invocation span (which links back to every message, up to
 * {@link MAX_INVOCATION_LINKS}), and calls `recordFn` inside that span's context with the
 * payload as the producer wrote it. A record that throws is marked as failed and reported in
 * `batchItemFailures` as `ReportBatchItemFailures` expects: SQS by message id (FIFO groups stop
 * at their first failure), Kinesis and DynamoDB by the first failed sequence number, with the
 * records after it left for the retry. SNS and EventBridge, which have no partial batch
 * response, get the first error re-thrown so that Lambda retries the event; so does a batch in
 * which a failed record has no message id or sequence number to be reported by. The invocation
 * always ends with a flush bounded by the remaining time.
 *
 * @example
 * ```ts
 * import { tracedRecordHandler } from 'tracebridge';
 * import { initTracing } from 'tracebridge/setup';
 *
 * initTracing();
 * export const handler = tracedRecordHandler(async (payload) => {
 *   const order = JSON.parse(payload.text) as { id: string };
 *   await saveOrder(order);
 * });
 * ```
 */
export function tracedRecordHandler<Record = unknown>(
  recordFn: RecordFunction<Record>,
  options: TracedRecordHandlerOptions = {},
): (event: unknown, context: LambdaContext) => Promise<BatchResponse> {
  const kind = options.recordSpanKind === 'consumer' ? SpanKind.CONSUMER : SpanKind.SERVER;
  const parentIsInvocation = options.recordParent === 'invocation';
  const propagator = options.propagator ?? w3cPropagator;
  const tracer = wrapperTracer(options);
  return async (event, lambdaContext) => {
    const records = recordsOf(event);
    const prepared = records.map((record): PreparedRecord => {
      const recordSource = recordSourceOf(record);
      return {
        record,
        inspection: inspectRecordOf(record, recordSource, propagator),
        description: describeRecord(record, recordSource),
      };
    });
    const source = prepared[0]?.inspection.context.recordSource ?? RecordSource.UNKNOWN;
    const { span: invocationSpan } = startInvocationSpan(tracer, event, lambdaContext, options, {
      trigger: triggerOf(event),
      links: messageLinks(prepared.map((item) => item.inspection.context.spanContext)),
      attributes: {
        'messaging.batch.message_count': records.length,
        'messaging.system': prepared[0]?.description.system ?? 'unknown',
      },
    });
    const invocationLink: Link = { context: invocationSpan.spanContext() };
    /** Ends a record span whose function threw or rejected; the error is the record's result. */
    const failed = (span: Span, error: unknown): unknown => {
      recordFailure(span, error);
      span.end();
      // `undefined` means success here; a thrown `null` passes on as it is.
      return error === undefined ? new Error('record handler threw undefined') : error;
    };
    // Not an async function: a record function that returns no promise (most do their work
    // synchronously) then costs no promise, no await and no extra microtask per record.
    const process: ProcessRecord = (item) => {
      const { context: recordContext } = item.inspection;
      const messageContext = recordContext.spanContext;
      const links: Link[] = [invocationLink];
      if (parentIsInvocation && messageContext) links.push({ context: messageContext });
      const parent = parentIsInvocation
        ? trace.setSpan(recordContext.context, invocationSpan)
        : recordContext.context;
      const span = tracer.startSpan(
        processSpanName(item.description.destination),
        {
          kind,
          links,
          attributes: recordAttributes(item.description, Date.now(), recordContext.carrier),
        },
        parent,
      );
      let result: unknown;
      try {
        result = otelContext.with(
          trace.setSpan(parent, span),
          recordFn,
          undefined,
          item.inspection.payload,
          item.record as Record,
          span,
        );
      } catch (error) {
        return failed(span, error);
      }
      // Anything that could be a thenable is awaited as `await` would (reading `then` once).
      if (result === null || (typeof result !== 'object' && typeof result !== 'function')) {
        span.end();
        return undefined;
      }
      return Promise.resolve(result).then(
        () => {
          span.end();
          return undefined;
        },
        (error: unknown) => failed(span, error),
      );
    };
    const timeout = guardTimeout(
      lambdaContext,
      invocationSpan,
      options.tracerProvider,
      options.flushMarginMs,
    );
    try {
      const outcome = processBatch({ prepared, process }, source, options.concurrency ?? 1);
      const { failures, unnamed, firstError } =
        outcome instanceof Promise ? await outcome : outcome;
      if (failures.length > 0 && !timeout.fired) {
        invocationSpan.setAttribute('tracebridge.batch.failed_count', failures.length);
      }
      // A failure with nothing to name it by (no message id or sequence number) cannot be
      // reported: Lambda would take the batch as processed, so the whole batch fails instead.
      if (
        firstError !== undefined &&
        (unnamed || source === RecordSource.SNS || source === RecordSource.EVENTBRIDGE)
      ) {
        timeout.fail(firstError);
        rethrow(firstError);
      }
      return { batchItemFailures: failures };
    } finally {
      await timeout.finish();
    }
  };
}
