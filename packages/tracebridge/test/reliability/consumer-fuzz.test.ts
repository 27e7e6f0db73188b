// Issue #7, bad input, consumer side: the wrappers fed batches of garbage records of mixed
// sources. The user's function must get every record it is owed with its payload untouched,
// the partial batch response must name exactly the records that failed (by Lambda's rules per
// source), the wrapper must never throw an error of its own, and the event must not be touched.

import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Callback } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { recordFigures, scaled } from '../../../../scripts/reliability-profile.js';
import { tracedHandler, tracedRecordHandler } from '../../src/index.js';
import type { RecordPayload } from '../../src/propagation/inspection.js';
import { lambdaContext } from '../../src/test-support/lambda-context.js';
import { setUpTestTracing } from '../../src/test-support/tracing.js';
import { anyRecordCase, type RecordCase, recordCases } from './support/hostile-records.js';
import { jsonish } from './support/hostile-values.js';
import {
  builtInPrototypesShape,
  firstDifference,
  freezeDeep,
  snapshotOf,
} from './support/untouched.js';

const RUNS = scaled(100, 5_000);
/** A full-profile property runs for minutes, past vitest's 30 s default. */
const PROPERTY_TIMEOUT_MS = scaled(30_000, 3_600_000);
const figures = {
  batches: 0,
  records: 0,
  recordCalls: 0,
  failedRecords: 0,
  reportedFailures: 0,
  batchesRethrown: 0,
  plantedContextsContinued: 0,
  handlerEvents: 0,
};

const tracing = setUpTestTracing();
const prototypesBefore = builtInPrototypesShape();
afterEach(() => {
  tracing.reset();
});
afterAll(async () => {
  expect(builtInPrototypesShape()).toBe(prototypesBefore);
  recordFigures('consumer-fuzz', {
    numRunsPerProperty: RUNS,
    ...figures,
    prototypesUnchanged: builtInPrototypesShape() === prototypesBefore,
  });
  await tracing.shutdown();
});

/** What the user's function does with one record: succeed or fail, now or later, with what. */
type Outcome =
  | { readonly kind: 'ok' | 'ok-async' }
  | { readonly kind: 'throw' | 'reject'; readonly error: unknown };

/** Thrown values of every kind, some of which `String()` cannot print. */
const thrown: fc.Arbitrary<() => unknown> = fc.constantFrom(
  () => new Error('record failed'),
  () => 'a string',
  () => Object.create(null) as unknown,
  () => JSON.parse('{"toString":1,"message":{}}') as unknown,
  () => undefined,
  () => null,
  () => 42,
);

const outcome: fc.Arbitrary<Outcome> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom({ kind: 'ok' as const }, { kind: 'ok-async' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('throw' as const, 'reject' as const), thrown)
      .map(([kind, make]) => ({ kind, error: make() })),
  },
);

/** Batches of mixed sources, and batches of one source (so each source's rules get exercised). */
const batch: fc.Arbitrary<[RecordCase, Outcome][]> = fc.oneof(
  fc.array(fc.tuple(anyRecordCase, outcome), { maxLength: 8 }),
  fc
    .constantFrom(...Object.values(recordCases))
    .chain((cases) => fc.array(fc.tuple(cases, outcome), { minLength: 1, maxLength: 8 })),
);

/** Lambda's rules per source, as the README states them: what is called and what is reported. */
function expectedRun(items: readonly [RecordCase, Outcome][]): {
  called: number[];
  reported: string[];
  rethrown: number | undefined;
} {
  const failed = (index: number): boolean => {
    const kind = items[index]?.[1].kind;
    return kind === 'throw' || kind === 'reject';
  };
  const called: number[] = [];
  const reported: string[] = [];
  // An object, not a `let`: TypeScript does not follow assignments made inside `report`.
  const state = { unnamed: false };
  let firstFailed: number | undefined;
  const report = (index: number): void => {
    const id = items[index]?.[0].failureId;
    if (id === undefined) state.unnamed = true;
    else reported.push(id);
  };
  const source = items[0]?.[0].source ?? 'unknown';
  const fifo = items.some(([recordCase]) => {
    const arn = (recordCase.record as { eventSourceARN?: unknown } | null)?.eventSourceARN;
    return (
      (recordCase.source === 'aws:sqs' && recordCase.messageGroupId !== undefined) ||
      (typeof arn === 'string' && arn.endsWith('.fifo'))
    );
  });
  if (source === 'aws:kinesis' || source === 'aws:dynamodb') {
    for (const index of items.keys()) {
      called.push(index);
      if (failed(index)) {
        report(index);
        firstFailed = index;
        break;
      }
    }
  } else if (source === 'aws:sqs' && fifo) {
    const failedGroups = new Set<string>();
    for (const [index, [recordCase]] of items.entries()) {
      const group = recordCase.source === 'aws:sqs' ? (recordCase.messageGroupId ?? '') : '';
      if (failedGroups.has(group)) {
        report(index);
        continue;
      }
      called.push(index);
      if (failed(index)) {
        failedGroups.add(group);
        report(index);
        firstFailed ??= index;
      }
    }
  } else {
    for (const index of items.keys()) {
      called.push(index);
      if (failed(index)) {
        report(index);
        firstFailed ??= index;
      }
    }
  }
  const rethrows = state.unnamed || source === 'aws:sns' || source === 'aws.events';
  return {
    called,
    reported,
    rethrown: firstFailed !== undefined && rethrows ? firstFailed : undefined,
  };
}

function expectPayload(payload: RecordPayload, expected: string | Uint8Array): void {
  if (typeof expected === 'string') expect(payload.text).toBe(expected);
  else expect(Buffer.from(payload.bytes).equals(Buffer.from(expected))).toBe(true);
}

describe('tracedRecordHandler over batches of garbage records', () => {
  it(
    'calls the function with every payload owed, reports exactly the failures, never throws its own error',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          batch,
          fc.boolean(),
          fc.constantFrom(1, 3),
          async (items, frozen, concurrency) => {
            tracing.reset();
            figures.batches++;
            figures.records += items.length;
            const records = items.map(([recordCase]) => recordCase.record);
            const event = { Records: records };
            const snapshot = snapshotOf(event);
            if (frozen) freezeDeep(event);
            const expected = expectedRun(items);
            const calls: { record: unknown; payload: RecordPayload; traceId: string }[] = [];
            const handler = tracedRecordHandler(
              (payload, record, span) => {
                calls.push({ record, payload, traceId: span.spanContext().traceId });
                // The n-th call is for the n-th record owed a call; checked against the record below.
                const planned = items[expected.called[calls.length - 1] ?? -1]?.[1];
                if (planned?.kind === 'throw') throw planned.error;
                if (planned?.kind === 'reject') return Promise.reject(planned.error);
                return planned?.kind === 'ok-async' ? Promise.resolve() : undefined;
              },
              { tracerProvider: tracing.provider, concurrency },
            );
            let response: unknown;
            let rejection: { error: unknown } | undefined;
            try {
              response = await handler(event, lambdaContext());
            } catch (error) {
              rejection = { error };
            }
            // Calls happen in record order: with concurrency, workers still take records in order.
            expect(calls).toHaveLength(expected.called.length);
            for (const [position, index] of expected.called.entries()) {
              const call = calls[position]!;
              const recordCase = items[index]![0];
              expect(Object.is(call.record, recordCase.record)).toBe(true);
              expectPayload(call.payload, recordCase.payload);
              if (recordCase.planted) {
                expect(call.traceId).toBe(recordCase.planted.traceId);
                figures.plantedContextsContinued++;
              }
            }
            figures.recordCalls += calls.length;
            figures.failedRecords += items.filter(
              ([, plan]) => plan.kind === 'throw' || plan.kind === 'reject',
            ).length;
            if (expected.rethrown === undefined) {
              expect(rejection).toBeUndefined();
              expect(response).toEqual({
                batchItemFailures: expected.reported.map((id) => ({ itemIdentifier: id })),
              });
              figures.reportedFailures += expected.reported.length;
            } else {
              figures.batchesRethrown++;
              const plan = items[expected.rethrown]![1];
              const original =
                plan.kind === 'throw' || plan.kind === 'reject' ? plan.error : undefined;
              expect(rejection).toBeDefined();
              if (original === undefined) {
                expect(rejection?.error).toBeInstanceOf(Error);
                expect((rejection?.error as Error).message).toBe('record handler threw undefined');
              } else {
                expect(rejection?.error).toBe(original);
              }
            }
            // Record spans of unsampled producers are not recorded; the invocation span always is.
            const invocationSpans = tracing
              .spans()
              .filter((span: ReadableSpan) => span.name === 'orders-consumer');
            expect(invocationSpans).toHaveLength(1);
            expect(firstDifference(event, snapshot)).toBeUndefined();
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('tracedHandler over garbage events', () => {
  it(
    'passes the event through, returns what the handler returns, re-throws what it throws',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            jsonish,
            batch.map((items) => ({ Records: items.map(([c]) => c.record) })),
          ),
          fc.constantFrom('async', 'callback', 'sync-throw'),
          fc.option(thrown, { nil: undefined }),
          jsonish,
          async (event, style, makeError, result) => {
            tracing.reset();
            figures.handlerEvents++;
            const snapshot = snapshotOf(event);
            freezeDeep(event);
            const error = makeError?.();
            let received: unknown;
            const fails = makeError !== undefined;
            const handler =
              style === 'callback'
                ? tracedHandler(
                    (incoming: unknown, _context, callback: Callback<unknown>) => {
                      received = incoming;
                      // A callback given a falsy error reports success, as Lambda's runtime does.
                      if (fails && error) callback(error as Error);
                      else callback(null, result);
                    },
                    { tracerProvider: tracing.provider },
                  )
                : tracedHandler(
                    (incoming: unknown) => {
                      received = incoming;
                      if (fails && style === 'sync-throw') throw error;
                      return fails ? Promise.reject(error) : Promise.resolve(result);
                    },
                    { tracerProvider: tracing.provider },
                  );
            let outcomeSeen: { ok: boolean; value: unknown };
            try {
              outcomeSeen = { ok: true, value: await handler(event, lambdaContext()) };
            } catch (caught) {
              outcomeSeen = { ok: false, value: caught };
            }
            expect(Object.is(received, event)).toBe(true);
            const failsHere = fails && (style !== 'callback' || Boolean(error));
            expect(outcomeSeen.ok).toBe(!failsHere);
            expect(Object.is(outcomeSeen.value, failsHere ? error : result)).toBe(true);
            expect(tracing.spans()).toHaveLength(1);
            expect(firstDifference(event, snapshot)).toBeUndefined();
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
