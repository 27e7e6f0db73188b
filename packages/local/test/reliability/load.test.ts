// Issue #7, load: messages through SQS and records through Kinesis at batch sizes 10 and 100,
// through the local runtime (real function processes, fauxqs, kinesalite, the collector), with
// deliveries failing at random, must all end processed or dead-lettered as Lambda's semantics
// say, in their producer's traces, with every span accounted for and every payload unchanged.
//
// The design, so that the expected end state is computable:
// - Which delivery fails is a pure function of the fault seed, the record's id (the SQS
//   message id, the Kinesis eventID) and its attempt (fixtures/load/src/faults.ts): 5% of
//   attempts fail at random; besides, the producer marks one SQS message in 20 as poison (a
//   message attribute), which fails on every attempt. Once the emulators have given the ids,
//   the test knows each message's fate.
// - SQS (ReportBatchItemFailures, VisibilityTimeout 3 s, maxReceiveCount 3): the attempt is
//   ApproximateReceiveCount. A message is processed on its first attempt that does not fail, if
//   that is attempt 3 or earlier; otherwise the queue moves it to its dead-letter queue on the
//   receive after its third. One poller runs one invocation at a time and the visibility timeout
//   outlasts the batching window, so a message is only received again after it failed.
// - Kinesis (ReportBatchItemFailures, MaximumRetryAttempts -1, 2 shards): the function counts its
//   own attempts (records carry no receive count). tracedRecordHandler stops a batch at its first
//   failed record, Lambda checkpoints before it and retries from it, so each record is attempted
//   until it succeeds: processed exactly once, in shard order, never discarded.
// - The functions report each invocation and each record they attempt (id, attempt, outcome,
//   payload sha256, active trace id, record span id) on stdout, read through the runner's log sink.
// - Spans: the producer side counts its own (a `send` span per call, a `create` span per entry of
//   a batch); the consumer side makes, per invocation, the Lambda service's two spans and the
//   invocation span, and per attempted record one record span. The collector must hold exactly
//   their sum, and each record span must be the child of its message's producer span.
// Each batch size runs in a runtime of its own, so that each collector's counts are its own; the
// two run at the same time.

import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { recordFigures, scaled } from '../../../../scripts/reliability-profile.js';
import type { StoredSpan } from '../../src/collector/span-model.js';
import type { TraceDetail } from '../../src/collector/trace-view.js';
import type { CollectorStats } from '../../src/collector/server.js';
import { LOCAL_CLIENT_CONFIG } from '../../src/mappings/clients.js';
import type { MappingStat } from '../../src/mappings/index.js';
import { type LocalRuntime, startLocalRuntime } from '../../src/runtime/local-runtime.js';
import {
  failsOnAttempt,
  type LoadReport,
  type RecordSourceKind,
  REPORT_MARKER,
} from '../fixtures/load/src/faults.js';
import { createLoadProducer, type SentMessage } from '../support/load-traffic.js';

const here = dirname(fileURLToPath(import.meta.url));
const templatePath = join(here, '..', 'fixtures', 'load', 'template.yaml');
const buildRoot = join(here, '..', '..', '..', '..', '.tmp', 'load-build');

/** Messages and records per service and batch size. */
const MESSAGES = scaled(150, 10_000);
/** The fixture's RedrivePolicy maxReceiveCount. */
const MAX_RECEIVE_COUNT = 3;
/** Spans the Lambda service (2) and tracedRecordHandler (1) make per invocation. */
const SPANS_PER_INVOCATION = 3;
/** Longest wait for the whole run to settle: generous, the run itself is what is measured. */
const SETTLE_TIMEOUT_MS = scaled(60_000, 1_200_000);
const POLL_MS = 50;

type RecordReport = Extract<LoadReport, { type: 'record' }>;

interface RunConfig {
  readonly batchSize: 10 | 100;
  readonly prefix: 'SmallBatch' | 'LargeBatch';
}

interface ServiceFigures {
  readonly sent: number;
  readonly processed: number;
  readonly deadLettered: number;
  /** Attempts that failed and were delivered again. */
  readonly redeliveries: number;
  readonly invocations: number;
  /**
   * Share of the run the mapping spent in invocations (the Lambda service spans' durations):
   * near 1, the functions' round trips are what bounds throughput; far below, the polling.
   */
  readonly invokingShare: number;
  readonly hashesMatched: number;
}

const runs: RunConfig[] = [
  { batchSize: 10, prefix: 'SmallBatch' },
  { batchSize: 100, prefix: 'LargeBatch' },
];
const figures: Record<string, unknown>[] = [];
const outcomes = new Map<RunConfig, PromiseSettledResult<RunOutcome>>();
let wallClockMs = 0;

// Both batch sizes run at once: most of a run is waiting out visibility timeouts.
beforeAll(async () => {
  const started = performance.now();
  const settled = await Promise.allSettled(runs.map((run) => runLoad(run)));
  wallClockMs = performance.now() - started;
  runs.forEach((run, index) => outcomes.set(run, settled[index]!));
}, SETTLE_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await Promise.all(
    [...outcomes.values()].flatMap((result) =>
      result.status === 'fulfilled' ? [result.value.runtime.close()] : [],
    ),
  );
  if (figures.length === runs.length) {
    const sent = 4 * MESSAGES;
    recordFigures('load', {
      messagesPerServiceAndBatchSize: MESSAGES,
      sentInTotal: sent,
      wallClockMs: Math.round(wallClockMs),
      messagesPerSecondInTotal: Math.round((sent / wallClockMs) * 1_000),
      runs: figures,
    });
  }
});

/** Everything one run observed, for the checks. */
interface RunOutcome {
  readonly runtime: LocalRuntime;
  readonly sqsSent: readonly SentMessage[];
  readonly kinesisSent: readonly SentMessage[];
  readonly reports: Map<string, RecordReport[]>;
  readonly invocations: Map<string, number>;
  readonly reportOrder: Map<string, RecordReport[]>;
  readonly deadLetters: Map<string, Message>;
  readonly producerSpans: ReturnType<typeof createLoadProducer>['spans'];
  readonly producerSpansEnded: number;
  readonly warnings: readonly string[];
  readonly durationMs: number;
}

for (const run of runs) {
  describe(`load at batch size ${run.batchSize}: ${MESSAGES} SQS messages and ${MESSAGES} Kinesis records`, () => {
    const sqsFunction = `Sqs${run.prefix}Consumer`;
    const kinesisFunction = `Kinesis${run.prefix}Consumer`;
    const observed = (): RunOutcome => {
      const result = outcomes.get(run);
      if (result?.status === 'fulfilled') return result.value;
      throw new Error('the load run did not complete', { cause: result?.reason });
    };

    it('settles every message: processed or dead-lettered', () => {
      const { runtime, warnings } = observed();
      const stat = (name: string): MappingStat =>
        runtime.mappings.stats().mappings.find((mapping) => mapping.function === name)!;
      expect(stat(sqsFunction).succeeded + stat(sqsFunction).deadLettered).toBe(MESSAGES);
      expect(stat(kinesisFunction).succeeded).toBe(MESSAGES);
      expect(stat(kinesisFunction).discarded).toBe(0);
      // Only dead-letter notices: no invocation failed as a whole, no emulator call failed.
      expect(warnings.filter((line) => !line.includes('dead-letter queue'))).toEqual([]);
    });

    it('ends each SQS message as its fault plan says, attempts explained by receive counts', () => {
      const { sqsSent, reports, deadLetters, runtime } = observed();
      let processed = 0;
      for (const message of sqsSent) {
        const attempts = reports.get(message.id) ?? [];
        const expected = expectedSqsAttempts(message);
        // Every receive is one attempt, reported once: a duplicate would repeat a receive count.
        expect(attempts.map((report) => report.attempt)).toEqual(expected.attempts);
        expect(attempts.map((report) => report.failed)).toEqual(expected.failures);
        expect(deadLetters.has(message.id)).toBe(expected.deadLettered);
        if (!expected.deadLettered) processed += 1;
      }
      const stats = runtime.mappings.stats().mappings.find((m) => m.function === sqsFunction)!;
      expect(stats.succeeded).toBe(processed);
      expect(stats.deadLettered).toBe(deadLetters.size);
      expect(deadLetters.size).toBe(MESSAGES - processed);
      expect(deadLetters.size).toBeGreaterThanOrEqual(sqsSent.filter((m) => m.poison).length);
    });

    it('processes each Kinesis record once, after its failed attempts, in shard order', () => {
      const { kinesisSent, reports, reportOrder } = observed();
      for (const record of kinesisSent) {
        const attempts = reports.get(record.id) ?? [];
        const expected = expectedKinesisAttempts(record.id);
        expect(attempts.map((report) => report.attempt)).toEqual(expected.attempts);
        expect(attempts.map((report) => report.failed)).toEqual(expected.failures);
      }
      // Successes come in sequence order within each shard: a checkpoint never skipped a record.
      const successes = (reportOrder.get(kinesisFunction) ?? []).filter((report) => !report.failed);
      const byShard = new Map<string, bigint[]>();
      for (const report of successes) {
        const [shardId = '', sequenceNumber = '0'] = report.id.split(':');
        byShard.set(shardId, [...(byShard.get(shardId) ?? []), BigInt(sequenceNumber)]);
      }
      for (const numbers of byShard.values()) {
        expect(numbers).toEqual([...numbers].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      }
      expect(successes).toHaveLength(MESSAGES);
    });

    it('hands every payload over byte for byte, dead letters included', () => {
      const { sqsSent, kinesisSent, reports, deadLetters } = observed();
      for (const message of [...sqsSent, ...kinesisSent]) {
        for (const report of reports.get(message.id) ?? []) {
          expect(report.sha256).toBe(message.sha256);
        }
        const deadLetter = deadLetters.get(message.id);
        if (deadLetter) expect(sha256(Buffer.from(deadLetter.Body ?? ''))).toBe(message.sha256);
      }
    });

    it("puts every record span in its producer's trace, as the child of its message's span", async () => {
      const { sqsSent, kinesisSent, reports, producerSpans, runtime } = observed();
      const producerOf = new Map(
        producerSpans
          .filter((span) => span.messageId !== undefined)
          .map((span) => [span.messageId, span]),
      );
      const byTrace = new Map<string, StoredSpan[]>();
      for (const traceId of new Set(producerSpans.map((span) => span.traceId))) {
        const detail = await api<TraceDetail>(runtime, `/api/traces/${traceId}`);
        byTrace.set(traceId, detail.spans as unknown as StoredSpan[]);
      }
      for (const message of [...sqsSent, ...kinesisSent]) {
        const producer = producerOf.get(message.producerId);
        expect(producer, `the producer span of ${message.id}`).toBeDefined();
        const traceSpans = byTrace.get(producer!.traceId) ?? [];
        for (const report of reports.get(message.id) ?? []) {
          expect(report.traceId).toBe(producer!.traceId);
          const span = traceSpans.find((candidate) => candidate.spanId === report.spanId);
          expect(span?.parentSpanId, `the record span of ${message.id}`).toBe(producer!.spanId);
          expect(span?.kind).toBe('server');
        }
      }
      // Each producer trace holds its producer spans and its messages' record spans, no more.
      const reportsPerTrace = new Map<string, number>();
      for (const message of [...sqsSent, ...kinesisSent]) {
        const traceId = producerOf.get(message.producerId)?.traceId ?? '';
        const count = reports.get(message.id)?.length ?? 0;
        reportsPerTrace.set(traceId, (reportsPerTrace.get(traceId) ?? 0) + count);
      }
      for (const [traceId, spans] of byTrace) {
        const produced = producerSpans.filter((span) => span.traceId === traceId).length;
        expect(spans).toHaveLength(produced + (reportsPerTrace.get(traceId) ?? 0));
      }
    });

    it('holds exactly the spans both sides produced, counted on each side', async () => {
      const { runtime, reports, invocations, producerSpansEnded } = observed();
      const invocationCount = [...invocations.values()].reduce((sum, count) => sum + count, 0);
      const recordSpans = [...reports.values()].reduce((sum, list) => sum + list.length, 0);
      const expected = producerSpansEnded + SPANS_PER_INVOCATION * invocationCount + recordSpans;
      const stats = (await api<CollectorStats>(runtime, '/api/stats')).store;
      expect(stats.spansStored).toBe(expected);
      expect(stats.spansReceived).toBe(expected);
      expect(stats.spansDuplicated).toBe(0);
      expect(stats.spansRejected).toBe(0);
      expect(stats.spansEvicted).toBe(0);
      // Each invocation the functions reported is one the mappings made.
      for (const mapping of runtime.mappings.stats().mappings) {
        expect(invocations.get(mapping.function) ?? 0).toBe(mapping.batches);
      }
      const sqs = summarise(observed(), 'sqs', sqsFunction);
      const kinesis = summarise(observed(), 'kinesis', kinesisFunction);
      const sent = sqs.sent + kinesis.sent;
      figures.push({
        batchSize: run.batchSize,
        sqs,
        kinesis,
        spans: {
          producerCounted: producerSpansEnded,
          consumerCounted: SPANS_PER_INVOCATION * invocationCount + recordSpans,
          collectorStored: stats.spansStored,
          collectorReceived: stats.spansReceived,
        },
        durationMs: Math.round(observed().durationMs),
        messagesPerSecond: Math.round((sent / observed().durationMs) * 1_000),
      });
    });
  });
}

async function runLoad(run: RunConfig): Promise<RunOutcome> {
  const reports = new Map<string, RecordReport[]>();
  const reportOrder = new Map<string, RecordReport[]>();
  const invocations = new Map<string, number>();
  const warnings: string[] = [];
  const runtime = await startLocalRuntime({
    templatePath,
    collectorPort: 0,
    xrayPort: null,
    // One folder per run: the runs build the same functions at the same time.
    buildDir: join(buildRoot, run.prefix),
    functionLogs: { write: (text: string) => readReport(text, reports, reportOrder, invocations) },
    logger: { info: () => undefined, warn: (line) => warnings.push(line) },
    polling: {
      sqsWaitTimeSeconds: 1,
      kinesisPollIntervalMs: 100,
      backoff: { initialMs: 10, maxMs: 1_000 },
    },
  });
  const queueUrl = runtime.resources.get(`${run.prefix}Queue`)!.ref;
  const deadLetterUrl = runtime.resources.get(`${run.prefix}DeadLetterQueue`)!.ref;
  const streamName = runtime.resources.get(`${run.prefix}Stream`)!.ref;
  const producer = createLoadProducer(runtime.collector.endpoint, runtime.endpoints);
  const reader = new SQSClient({ ...LOCAL_CLIENT_CONFIG, endpoint: runtime.endpoints.sqs });
  const deadLetters = new Map<string, Message>();
  try {
    const started = performance.now();
    const [sqsSent, kinesisSent] = await Promise.all([
      producer.sendToQueue(queueUrl, MESSAGES),
      producer.putToStream(streamName, MESSAGES),
    ]);
    const settled = (): boolean =>
      sqsSent.every((message) => isTerminal(reports.get(message.id), 'sqs')) &&
      kinesisSent.every((record) => isTerminal(reports.get(record.id), 'kinesis'));
    await until('every message to reach its last attempt', settled);
    // The reports, not the mapping's counters, which the poller updates after the report lines.
    const failedForGood = sqsSent.filter((message) => reports.get(message.id)?.at(-1)?.failed);
    await until('the dead-letter queue to be drained', async () => {
      // Once the queue is empty nothing more moves: a dead-letter queue read empty after it is drained.
      const sourceEmpty = await isEmpty(reader, queueUrl);
      const received = await receiveAll(reader, deadLetterUrl);
      for (const message of received) deadLetters.set(message.MessageId ?? '', message);
      return sourceEmpty && received.length === 0 && deadLetters.size >= failedForGood.length;
    });
    const durationMs = performance.now() - started;
    await producer.close();
    const producerSpansEnded = producer.spansEnded();
    // Every function flushed before it answered; the producer's last export is what may lag.
    await until('the collector to receive every span', async () => {
      const stats = (await api<CollectorStats>(runtime, '/api/stats')).store;
      const consumed = [...invocations.values()].reduce((sum, count) => sum + count, 0);
      const recordSpans = [...reports.values()].reduce((sum, list) => sum + list.length, 0);
      return (
        stats.spansReceived >= producerSpansEnded + SPANS_PER_INVOCATION * consumed + recordSpans
      );
    });
    return {
      runtime,
      sqsSent,
      kinesisSent,
      reports,
      invocations,
      reportOrder,
      deadLetters,
      producerSpans: producer.spans,
      producerSpansEnded,
      warnings,
      durationMs,
    };
  } catch (error) {
    await runtime.close();
    throw error;
  } finally {
    reader.destroy();
  }
}

function readReport(
  text: string,
  reports: Map<string, RecordReport[]>,
  reportOrder: Map<string, RecordReport[]>,
  invocations: Map<string, number>,
): boolean {
  const at = text.indexOf(REPORT_MARKER);
  if (at === -1) return true;
  const functionName = /^\[([^\]]+)\]/.exec(text)?.[1] ?? '';
  const report = JSON.parse(text.slice(at + REPORT_MARKER.length)) as LoadReport;
  if (report.type === 'invocation') {
    invocations.set(functionName, (invocations.get(functionName) ?? 0) + 1);
    return true;
  }
  const list = reports.get(report.id) ?? [];
  list.push(report);
  reports.set(report.id, list);
  const ordered = reportOrder.get(functionName) ?? [];
  ordered.push(report);
  reportOrder.set(functionName, ordered);
  return true;
}

/** Whether a record has had its last attempt: it succeeded, or SQS gives up on it. */
function isTerminal(attempts: readonly RecordReport[] | undefined, source: RecordSourceKind) {
  const last = attempts?.at(-1);
  if (last === undefined) return false;
  if (!last.failed) return true;
  return source === 'sqs' && last.attempt >= MAX_RECEIVE_COUNT;
}

function expectedSqsAttempts(message: SentMessage): {
  attempts: number[];
  failures: boolean[];
  deadLettered: boolean;
} {
  const attempts: number[] = [];
  const failures: boolean[] = [];
  for (let attempt = 1; attempt <= MAX_RECEIVE_COUNT; attempt++) {
    const failed = failsOnAttempt('sqs', message.id, attempt, message.poison);
    attempts.push(attempt);
    failures.push(failed);
    if (!failed) return { attempts, failures, deadLettered: false };
  }
  return { attempts, failures, deadLettered: true };
}

function expectedKinesisAttempts(id: string): { attempts: number[]; failures: boolean[] } {
  const attempts: number[] = [];
  const failures: boolean[] = [];
  for (let attempt = 1; ; attempt++) {
    const failed = failsOnAttempt('kinesis', id, attempt, false);
    attempts.push(attempt);
    failures.push(failed);
    if (!failed) return { attempts, failures };
  }
}

function summarise(
  outcome: RunOutcome,
  source: RecordSourceKind,
  functionName: string,
): ServiceFigures {
  const sent = source === 'sqs' ? outcome.sqsSent : outcome.kinesisSent;
  let processed = 0;
  let failedAttempts = 0;
  let hashesMatched = 0;
  for (const message of sent) {
    const attempts = outcome.reports.get(message.id) ?? [];
    if (attempts.some((report) => !report.failed)) processed += 1;
    failedAttempts += attempts.filter((report) => report.failed).length;
    hashesMatched += attempts.filter((report) => report.sha256 === message.sha256).length;
    const deadLetter = outcome.deadLetters.get(message.id);
    if (deadLetter && sha256(Buffer.from(deadLetter.Body ?? '')) === message.sha256) {
      hashesMatched += 1;
    }
  }
  const deadLettered = source === 'sqs' ? outcome.deadLetters.size : 0;
  return {
    sent: sent.length,
    processed,
    deadLettered,
    // A dead-lettered message's last failure is not delivered again.
    redeliveries: failedAttempts - deadLettered,
    invocations: outcome.invocations.get(functionName) ?? 0,
    invokingShare: Number((invokingMs(outcome, functionName) / outcome.durationMs).toFixed(2)),
    hashesMatched,
  };
}

/** Time spent in invocations of a function: the durations of its Lambda service traces. */
function invokingMs(outcome: RunOutcome, functionName: string): number {
  const { traces } = outcome.runtime.collector.store.listTraces({
    service: functionName,
    limit: Number.MAX_SAFE_INTEGER,
  });
  return traces
    .filter((trace) => trace.rootService === functionName && trace.rootName === functionName)
    .reduce((sum, trace) => sum + trace.durationMs, 0);
}

async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const output = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      // Kept out of sight for the rest of the run: each dead letter is read once.
      VisibilityTimeout: 3_600,
    }),
  );
  return output.Messages ?? [];
}

async function isEmpty(sqs: SQSClient, queueUrl: string): Promise<boolean> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Attributes?.ApproximateNumberOfMessages === '0' &&
    Attributes.ApproximateNumberOfMessagesNotVisible === '0'
  );
}

async function api<T>(runtime: LocalRuntime, path: string): Promise<T> {
  const response = await fetch(`${runtime.collector.endpoint}${path}`);
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T;
}

async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
