// Faults a function meets at its collector, injected over and over in one process, through the
// consumer wrappers and initTracing's OTLP exporter against a real receiver on 127.0.0.1 that
// goes down and comes back on the same port, refuses, drops connections, answers with an error,
// answers late or never. Every invocation must return its own result (or re-throw its own
// error) before its deadline, say once why its spans did not go, leave no unhandled rejection
// behind, and once the collector is back, export what the processor still holds.

import { trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordFigures, scaled } from '../../../../scripts/reliability-profile.js';
import { tracedRecordHandler } from '../../src/index.js';
import { flushTracing, initTracing } from '../../src/setup/index.js';
import { resetTracing } from '../../src/setup/test-support/reset.js';
import { lambdaContext } from '../../src/test-support/lambda-context.js';
import { sqsRecord } from '../../src/test-support/records.js';
import { captureDiagnostics } from '../support/diag.js';
import { type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver.js';

/** Outages of each kind; every outage fails two invocations (one returns, one throws). */
const OUTAGES_PER_KIND = scaled(3, 50);
/** Slow-collector rounds; each round answers in time, late, and never. */
const SLOW_ROUNDS = scaled(3, 50);
/** Time allowed to each test: the full profile repeats every fault tens of times. */
const TEST_TIMEOUT_MS = scaled(30_000, 600_000);
const RECORDS_PER_BATCH = 3;
/** The invocation span and one span per record. */
const SPANS_PER_INVOCATION = 1 + RECORDS_PER_BATCH;
/** A batch whose spans the processor sends in several exports of this size. */
const LARGE_BATCH_RECORDS = 100;
const LARGE_BATCH_EXPORT_SIZE = 30;
/** The invocations' time; far beyond what a refused or answered export takes on loopback. */
const INVOCATION_MS = 2_000;
/** A tight deadline for the slow collector: its late answers come after it. */
const TIGHT_INVOCATION_MS = 500;
const TIGHT_MARGIN_MS = 100;
/** Generous bound for a condition the test waits on (a late answer arriving). */
const WAIT_MS = 10_000;

const outageKinds = ['down', 'resetting', 'answering 503'] as const;
type OutageKind = (typeof outageKinds)[number];

// What a failed export says, per outage kind: the cause, named as the collector showed it.
const failureText: Readonly<Record<OutageKind, RegExp>> = {
  down: /failed: connect ECONNREFUSED 127\.0\.0\.1:\d+: is a collector listening there\?/,
  resetting: /failed: socket hang up|failed: read ECONNRESET/,
  'answering 503': /failed: the collector answered 503: overloaded/,
};

const figures = {
  outagesInjected: {} as Record<string, number>,
  outagesSurvived: {} as Record<string, number>,
  slowInjected: {} as Record<string, number>,
  slowSurvived: {} as Record<string, number>,
  invocations: 0,
  failedFlushWarnings: 0,
  spansExpectedAfterRecovery: 0,
  spansReceivedAfterRecovery: 0,
  spansLostInOutages: 0,
  spansDeliveredLate: 0,
  unhandledRejections: 0,
};

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  await flushTracing(WAIT_MS);
  resetTracing();
});

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  figures.unhandledRejections = unhandled.length;
  recordFigures('faults-library', figures);
});

const batch = () =>
  Array.from({ length: RECORDS_PER_BATCH }, (_, index) => sqsRecord({ body: `order ${index}` }));

/** A record handler that succeeds, or throws its own error when told to. */
function consumer(throwing: { current: boolean }) {
  return tracedRecordHandler(() => {
    if (throwing.current) throw new Error('the payment service is down');
  });
}

const count = (map: Record<string, number>, key: string): void => {
  map[key] = (map[key] ?? 0) + 1;
};

/** Spans the receiver accepted (answered 2xx), counted from its decoded exports. */
function spanCount(receiver: OtlpReceiver): number {
  return receiver.spanNames().length;
}

describe('a collector that fails and recovers, again and again', () => {
  it(
    'gets every result back by its deadline, one warning per failed flush, and exports what is held once back',
    async () => {
      let receiver = await startOtlpReceiver();
      const port = Number(new URL(receiver.endpoint).port);
      // Only flushes export: a held span stays held until the next flush.
      const tracing = initTracing({
        logLevel: 'none',
        batch: { scheduledDelayMillis: 60_000 },
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SERVICE_NAME: 'orders' },
      });
      const diagnostics = captureDiagnostics();
      const throwing = { current: false };
      const handler = consumer(throwing);

      /** One invocation; returns the warnings it logged. */
      const invoke = async (fails: boolean): Promise<string[]> => {
        const before = diagnostics.warnings.length;
        const context = lambdaContext(INVOCATION_MS);
        throwing.current = fails;
        figures.invocations += 1;
        if (fails) {
          // A record's error is its own failure, reported in the batch response.
          await expect(handler({ Records: batch() }, context)).resolves.toMatchObject({
            batchItemFailures: expect.arrayContaining([expect.anything()]) as unknown,
          });
        } else {
          await expect(handler({ Records: batch() }, context)).resolves.toEqual({
            batchItemFailures: [],
          });
        }
        expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
        return diagnostics.warnings.slice(before);
      };

      try {
        for (let outage = 0; outage < OUTAGES_PER_KIND; outage++) {
          for (const kind of outageKinds) {
            count(figures.outagesInjected, kind);
            const received = spanCount(receiver);
            expect(await invoke(false)).toEqual([]);
            expect(spanCount(receiver)).toBe(received + SPANS_PER_INVOCATION);

            if (kind === 'down') await receiver.close();
            else if (kind === 'resetting') receiver.behave({ reset: true });
            else receiver.behave({ status: 503, body: 'overloaded' });

            for (const fails of [false, true]) {
              const warnings = await invoke(fails);
              expect(warnings).toHaveLength(1);
              expect(warnings[0]).toMatch(
                new RegExp(
                  `^tracebridge: OTLP export of ${SPANS_PER_INVOCATION} span\\(s\\) to ${receiver.endpoint}/v1/traces ${failureText[kind].source}`,
                ),
              );
              figures.failedFlushWarnings += 1;
              figures.spansLostInOutages += SPANS_PER_INVOCATION;
            }
            // Ended while the collector fails, and not yet flushed: the processor still holds it.
            trace.getTracer('faults').startSpan(`held through ${kind} ${outage}`).end();

            if (kind === 'down') receiver = await startOtlpReceiver({ port });
            else receiver.behave({});
            const before = spanCount(receiver);
            expect(await invoke(false)).toEqual([]);
            const after = receiver.spanNames().slice(before);
            expect(after).toContain(`held through ${kind} ${outage}`);
            expect(after).toHaveLength(SPANS_PER_INVOCATION + 1);
            figures.spansExpectedAfterRecovery += SPANS_PER_INVOCATION + 1;
            figures.spansReceivedAfterRecovery += after.length;
            count(figures.outagesSurvived, kind);
          }
        }
        await expect(tracing.forceFlush(INVOCATION_MS)).resolves.toEqual({
          ok: true,
          timedOut: false,
        });
        expect(diagnostics.errors).toEqual([]);
        expect(unhandled).toEqual([]);
      } finally {
        await receiver.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe('a large batch while the collector is down', () => {
  it(
    'warns once per flush, though its spans go in several exports',
    async () => {
      let receiver = await startOtlpReceiver();
      const port = Number(new URL(receiver.endpoint).port);
      initTracing({
        logLevel: 'none',
        batch: { scheduledDelayMillis: 60_000, maxExportBatchSize: LARGE_BATCH_EXPORT_SIZE },
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint },
      });
      const diagnostics = captureDiagnostics();
      const handler = tracedRecordHandler(() => undefined);
      const records = () => Array.from({ length: LARGE_BATCH_RECORDS }, () => sqsRecord());
      try {
        for (let outage = 0; outage < OUTAGES_PER_KIND; outage++) {
          count(figures.outagesInjected, 'down, large batch');
          await receiver.close();
          const before = diagnostics.warnings.length;
          const context = lambdaContext(INVOCATION_MS);
          figures.invocations += 1;
          await expect(handler({ Records: records() }, context)).resolves.toEqual({
            batchItemFailures: [],
          });
          expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
          expect(diagnostics.warnings.slice(before)).toEqual([
            expect.stringMatching(failureText.down),
          ]);
          figures.failedFlushWarnings += 1;
          figures.spansLostInOutages += LARGE_BATCH_RECORDS + 1;

          receiver = await startOtlpReceiver({ port });
          const back = lambdaContext(INVOCATION_MS);
          figures.invocations += 1;
          await handler({ Records: records() }, back);
          expect(spanCount(receiver)).toBe(LARGE_BATCH_RECORDS + 1);
          figures.spansExpectedAfterRecovery += LARGE_BATCH_RECORDS + 1;
          figures.spansReceivedAfterRecovery += spanCount(receiver);
          count(figures.outagesSurvived, 'down, large batch');
        }
        expect(diagnostics.warnings).toHaveLength(OUTAGES_PER_KIND);
        expect(unhandled).toEqual([]);
      } finally {
        await receiver.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe('a collector that accepts and answers late, or never', () => {
  it(
    'keeps every flush inside the invocation, warning once when the answer misses it',
    async () => {
      let receiver = await startOtlpReceiver();
      const port = Number(new URL(receiver.endpoint).port);
      initTracing({
        logLevel: 'none',
        batch: { scheduledDelayMillis: 60_000 },
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint },
      });
      const diagnostics = captureDiagnostics();
      const handler = tracedRecordHandler(() => undefined, { flushMarginMs: TIGHT_MARGIN_MS });
      const budgetMs = TIGHT_INVOCATION_MS - TIGHT_MARGIN_MS;

      const invoke = async (): Promise<string[]> => {
        const before = diagnostics.warnings.length;
        const context = lambdaContext(TIGHT_INVOCATION_MS);
        figures.invocations += 1;
        await expect(handler({ Records: batch() }, context)).resolves.toEqual({
          batchItemFailures: [],
        });
        // Returned before the deadline: the flush kept within the remaining time.
        expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
        return diagnostics.warnings.slice(before);
      };
      const missedDeadline = new RegExp(
        `^tracebridge: flushing spans did not finish within the invocation's remaining \\d+ ms; spans not yet exported may be lost`,
      );

      try {
        for (let round = 0; round < SLOW_ROUNDS; round++) {
          count(figures.slowInjected, 'in time');
          receiver.behave({ delayMs: budgetMs / 10 });
          let received = spanCount(receiver);
          expect(await invoke()).toEqual([]);
          expect(spanCount(receiver)).toBe(received + SPANS_PER_INVOCATION);
          count(figures.slowSurvived, 'in time');

          count(figures.slowInjected, 'late');
          receiver.behave({ delayMs: budgetMs * 3 });
          received = spanCount(receiver);
          expect(await invoke()).toEqual([expect.stringMatching(missedDeadline)]);
          // The late answer still comes: the spans arrived, after the invocation had returned.
          await waitUntil(() => receiver.answered() === receiver.exports.length);
          expect(spanCount(receiver)).toBe(received + SPANS_PER_INVOCATION);
          figures.spansDeliveredLate += SPANS_PER_INVOCATION;
          figures.failedFlushWarnings += 1;
          count(figures.slowSurvived, 'late');

          count(figures.slowInjected, 'never');
          receiver.behave({ delayMs: Infinity });
          expect(await invoke()).toEqual([expect.stringMatching(missedDeadline)]);
          figures.failedFlushWarnings += 1;
          figures.spansLostInOutages += SPANS_PER_INVOCATION;
          // The collector that hung goes down: the request it held fails (on a kept-alive
          // connection, after one retry on a fresh one), and says so once.
          const before = diagnostics.warnings.length;
          await receiver.close();
          await waitUntil(() => diagnostics.warnings.length > before);
          await flushTracing(WAIT_MS);
          expect(diagnostics.warnings.slice(before)).toEqual([
            expect.stringMatching(
              new RegExp(`${failureText.resetting.source}|${failureText.down.source}`),
            ),
          ]);
          receiver = await startOtlpReceiver({ port });
          count(figures.slowSurvived, 'never');
        }
        expect(diagnostics.errors).toEqual([]);
        expect(unhandled).toEqual([]);
      } finally {
        await receiver.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within the wait');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
