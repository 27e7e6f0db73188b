// Faults of the runtime, injected over and over: real function processes (tracebridge's wrappers
// inside, the runner's timeouts, crashes and freeze around them) export to an OTLP receiver on
// 127.0.0.1 that goes down and comes back on the same port, or answers late; the SQS and Kinesis
// emulators restart under their pollers. Every span is counted from the decoded wire format.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CreateStreamCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamRecord, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { recordFigures, scaled } from '../../../../scripts/reliability-profile.js';
import {
  type OtlpReceiver,
  startOtlpReceiver,
} from '../../../tracebridge/test/support/otlp-receiver.js';
import type { OtlpSpan } from '../../src/collector/index.js';
import { startKinesisEmulator, startSqsEmulator } from '../../src/emulators/index.js';
import {
  createFunctionRunner,
  type FunctionInvocationResult,
  type FunctionRunner,
} from '../../src/functions/index.js';
import { startMappings } from '../../src/mappings/index.js';
import type { FunctionInvoker, FunctionSpec } from '../../src/model.js';
import { esmTestBuild } from '../support/builds.js';
import type { FaultEvent, Outcome } from '../fixtures/faults/faults.js';
import {
  CREDENTIALS,
  functionSpec,
  kinesisEvents,
  queueSpec,
  recordingLogger,
  REGION,
  sqsEvents,
  waitFor,
} from '../support/mappings-harness.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/faults/', import.meta.url));

/** Collector outages while functions run; each fails two invocations. */
const OUTAGES = scaled(3, 50);
/** Rounds of late answers. */
const LATE_ROUNDS = scaled(2, 50);
/** Rounds of handler faults; each round injects every kind once. */
const FAULT_ROUNDS = scaled(1, 50);
/** Invocations of the frozen-after-return run. */
const FROZEN_INVOCATIONS = scaled(30, 500);
/** Restarts of each emulator under its poller. */
const RESTARTS = scaled(2, 50);

/** Time allowed to each test: the full profile repeats every fault tens of times. */
const TEST_TIMEOUT_MS = scaled(30_000, 600_000);
const SPANS_PER_EVENT = 3;
/** The handler's own spans and its invocation span. */
const SPANS_PER_INVOCATION = SPANS_PER_EVENT + 1;
/** The collector answers after the invocation's whole time (1 s) has passed. */
const LATE_ANSWER_MS = 1_500;

const ESM_BUILD = esmTestBuild('faults.ts');

function faultsFunction(
  name: string,
  handler: string,
  environment: Record<string, string>,
): FunctionSpec {
  return {
    logicalId: name,
    functionName: name,
    codeUri: FIXTURE,
    handler,
    runtime: 'nodejs20.x',
    timeoutSeconds: 1,
    memoryMb: 128,
    tracing: 'Active',
    environment: { OTEL_LOG_LEVEL: 'warn', ...environment },
    build: ESM_BUILD,
  };
}

const figures = {
  faultsInjected: {} as Record<string, number>,
  faultsSurvived: {} as Record<string, number>,
  invocations: 0,
  spansExpected: 0,
  spansReceived: 0,
  spansLostWhileCollectorDown: 0,
  spansLostInCrashes: 0,
  frozen: { invocations: 0, spansExpected: 0, spansReceived: 0, connectionsOpened: 0 },
  restarts: { sqs: 0, kinesis: 0, outagesLogged: 0, recoveriesLogged: 0, processedAfter: 0 },
};

const count = (map: Record<string, number>, key: string): void => {
  map[key] = (map[key] ?? 0) + 1;
};

const workDir = mkdtempSync(path.join(tmpdir(), 'tracebridge-faults-'));
const logLines: string[] = [];
let receiver: OtlpReceiver;
let frozenReceiver: OtlpReceiver;
let receiverPort: number;
/** Spans of receivers that were closed: the collector's earlier lives. */
const earlierSpans: OtlpSpan[] = [];
let runner: FunctionRunner;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  receiverPort = Number(new URL(receiver.endpoint).port);
  frozenReceiver = await startOtlpReceiver();
  runner = createFunctionRunner({
    buildDir: path.join(workDir, 'build'),
    logSink: { write: (text) => logLines.push(text) },
    functions: [
      faultsFunction('Faults', 'faults.handler', {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      }),
      faultsFunction('Frozen', 'faults.handler', {
        OTEL_EXPORTER_OTLP_ENDPOINT: frozenReceiver.endpoint,
        // The processor's timer exports too, racing the flush and the freeze.
        OTEL_BSP_SCHEDULE_DELAY: '1',
      }),
      faultsFunction('Consumer', 'faults.consumer', {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      }),
    ],
  });
  await runner.build();
});

afterAll(async () => {
  await runner.close();
  await receiver.close();
  await frozenReceiver.close();
  rmSync(workDir, { recursive: true, force: true });
  recordFigures('faults-runtime', figures);
});

function spansOf(from: OtlpReceiver): OtlpSpan[] {
  return from.exports.flatMap(({ request }) =>
    request.resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) => scope.spans),
    ),
  );
}

function allSpans(): OtlpSpan[] {
  return [...earlierSpans, ...spansOf(receiver)];
}

function stringAttribute(span: OtlpSpan, key: string): string | undefined {
  const value = span.attributes.find((attribute) => attribute.key === key)?.value;
  return value !== undefined && 'stringValue' in value ? value.stringValue : undefined;
}

/** The spans of one invocation: its handler's own, and its invocation span. */
function invocationSpans(spans: readonly OtlpSpan[], label: string, requestId: string) {
  return {
    work: spans.filter((span) => span.name.startsWith(`${label} work `)),
    invocation: spans.filter((span) => stringAttribute(span, 'faas.invocation_id') === requestId),
  };
}

let labels = 0;
async function invoke(
  functionName: string,
  then: Outcome,
): Promise<{ label: string; result: FunctionInvocationResult }> {
  labels += 1;
  const label = `${then}-${labels}`;
  const event: FaultEvent = { label, spans: SPANS_PER_EVENT, then };
  figures.invocations += 1;
  return { label, result: await runner.invoke(functionName, event) };
}

/** Lines a function logged through tracebridge's diagnostic logger. */
function tracebridgeWarnings(functionName: string): string[] {
  return logLines.filter((line) => line.startsWith(`[${functionName}] tracebridge: `));
}

/**
 * What the runtime reported as an uncaught exception or unhandled rejection, other than the
 * crashes the suite injects: anything tracebridge let escape would show here.
 */
function unexpectedCrashes(): string[] {
  return logLines.filter(
    (line) => line.includes('Uncaught Exception') && !/ crashed"|was never awaited/.test(line),
  );
}

function expectAnswered(result: FunctionInvocationResult, label: string): number {
  if (result.status !== 'ok') throw new Error(`${result.errorType}: ${result.errorMessage}`);
  expect(result.payload).toMatchObject({ label });
  return (result.payload as { pid: number }).pid;
}

/** Asserts that every span of an answered invocation had arrived when it returned. */
function expectAllSpans(label: string, result: FunctionInvocationResult): void {
  const { work, invocation } = invocationSpans(allSpans(), label, result.requestId);
  expect(work).toHaveLength(SPANS_PER_EVENT);
  expect(invocation).toHaveLength(1);
  figures.spansExpected += SPANS_PER_INVOCATION;
  figures.spansReceived += work.length + invocation.length;
}

describe('the collector down while functions run, then back', () => {
  it(
    'answers every invocation in time with one warning each, and exports again once it is back',
    async () => {
      const warningsBefore = tracebridgeWarnings('Faults').length;
      let expectedWarnings = 0;
      for (let outage = 0; outage < OUTAGES; outage++) {
        count(figures.faultsInjected, 'collector down');
        earlierSpans.push(...spansOf(receiver));
        await receiver.close();
        for (let i = 0; i < 2; i++) {
          const { label, result } = await invoke('Faults', 'answer');
          expectAnswered(result, label);
          expectedWarnings += 1;
          figures.spansLostWhileCollectorDown += SPANS_PER_INVOCATION;
        }
        receiver = await startOtlpReceiver({ port: receiverPort });
        const { label, result } = await invoke('Faults', 'answer');
        expectAnswered(result, label);
        expectAllSpans(label, result);
        count(figures.faultsSurvived, 'collector down');
      }
      await waitFor(
        'the warnings of every failed flush',
        () => tracebridgeWarnings('Faults').length - warningsBefore >= expectedWarnings,
      );
      const warnings = tracebridgeWarnings('Faults').slice(warningsBefore);
      expect(warnings).toHaveLength(expectedWarnings);
      expect(unexpectedCrashes()).toEqual([]);
      for (const warning of warnings) {
        expect(warning).toMatch(
          new RegExp(
            `^\\[Faults\\] tracebridge: OTLP export of ${SPANS_PER_INVOCATION} span\\(s\\) to http://127\\.0\\.0\\.1:${receiverPort}/v1/traces failed: connect ECONNREFUSED .*: is a collector listening there\\?`,
          ),
        );
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe('a collector that answers after the invocation has run out of time', () => {
  it(
    'returns before the timeout, says once that the flush missed it, and the spans still arrive',
    async () => {
      let expectedWarnings = tracebridgeWarnings('Faults').length;
      for (let round = 0; round < LATE_ROUNDS; round++) {
        count(figures.faultsInjected, 'collector late');
        receiver.behave({ delayMs: LATE_ANSWER_MS });
        const late = await invoke('Faults', 'answer');
        // Not a timeout: the flush gave up before the invocation's deadline.
        expectAnswered(late.result, late.label);
        expectedWarnings += 1;
        await waitFor(
          'the warning',
          () => tracebridgeWarnings('Faults').length >= expectedWarnings,
        );
        expect(tracebridgeWarnings('Faults').at(-1)).toMatch(
          /^\[Faults\] tracebridge: flushing spans did not finish within the invocation's remaining \d+ ms/,
        );
        // The answer reaches the frozen process, which takes it when it next runs.
        await waitFor('the late answer', () => receiver.answered() === receiver.exports.length);
        receiver.behave({});
        const next = await invoke('Faults', 'answer');
        expectAnswered(next.result, next.label);
        expectAllSpans(late.label, late.result);
        expectAllSpans(next.label, next.result);
        count(figures.faultsSurvived, 'collector late');
      }
      expect(tracebridgeWarnings('Faults')).toHaveLength(expectedWarnings);
      expect(unexpectedCrashes()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

const crashes: Readonly<Partial<Record<Outcome, { errorType: string; message: RegExp }>>> = {
  exit: { errorType: 'Runtime.ExitError', message: /Runtime exited with error: exit status 3/ },
  uncaught: { errorType: 'Error', message: /crashed$/ },
  reject: { errorType: 'Runtime.UnhandledPromiseRejection', message: /was never awaited/ },
};

describe('a handler that throws, times out or crashes the runtime', () => {
  it(
    'exports what can be, reports the failure, and serves the next invocation',
    async () => {
      const faults: Outcome[] = ['throw', 'timeout', 'exit', 'uncaught', 'reject'];
      for (let round = 0; round < FAULT_ROUNDS; round++) {
        for (const fault of faults) {
          count(figures.faultsInjected, fault);
          const before = await invoke('Faults', 'answer');
          const pid = expectAnswered(before.result, before.label);
          expectAllSpans(before.label, before.result);

          const { label, result } = await invoke('Faults', fault);
          const crash = crashes[fault];
          if (fault === 'throw') {
            expect(result).toMatchObject({
              status: 'error',
              errorMessage: `${label} was rejected`,
            });
            expectAllSpans(label, result);
          } else if (fault === 'timeout') {
            expect(result).toMatchObject({ status: 'timeout', errorType: 'Sandbox.Timedout' });
            // Flushed before the deadline: the spans it had ended, and its invocation span.
            expectAllSpans(label, result);
          } else if (crash) {
            expect(result).toMatchObject({ status: 'crashed', errorType: crash.errorType });
            expect(result.status !== 'ok' && result.errorMessage).toMatch(crash.message);
            // Nothing flushes the spans it ended before the runtime went down: counted, not required.
            const { work, invocation } = invocationSpans(allSpans(), label, result.requestId);
            figures.spansLostInCrashes += SPANS_PER_INVOCATION - work.length - invocation.length;
          }

          const after = await invoke('Faults', 'answer');
          expect(after.result.coldStart).toBe(fault !== 'throw');
          const nextPid = expectAnswered(after.result, after.label);
          if (fault === 'throw') expect(nextPid).toBe(pid);
          else expect(nextPid).not.toBe(pid);
          expectAllSpans(after.label, after.result);
          count(figures.faultsSurvived, fault);
        }
      }
      expect(unexpectedCrashes()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('the process frozen as soon as it returns', () => {
  it(
    'loses no span, though the collector drops the idle connection during every freeze',
    async () => {
      const warningsBefore = tracebridgeWarnings('Frozen').length;
      for (let i = 0; i < FROZEN_INVOCATIONS; i++) {
        const { label, result } = await invoke('Frozen', 'answer');
        expectAnswered(result, label);
        const { work, invocation } = invocationSpans(
          spansOf(frozenReceiver),
          label,
          result.requestId,
        );
        expect([...work, ...invocation]).toHaveLength(SPANS_PER_INVOCATION);
        figures.frozen.invocations += 1;
        figures.frozen.spansExpected += SPANS_PER_INVOCATION;
        figures.frozen.spansReceived += work.length + invocation.length;
        // The collector's idle timeout closes the kept-alive connection while the function is frozen.
        frozenReceiver.dropIdleConnections();
      }
      figures.frozen.connectionsOpened = frozenReceiver.connections();
      // Every invocation had to open a new connection, the last one having been dropped.
      expect(frozenReceiver.connections()).toBeGreaterThanOrEqual(FROZEN_INVOCATIONS);
      expect(tracebridgeWarnings('Frozen').slice(warningsBefore)).toEqual([]);
      expect(unexpectedCrashes()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

/** Records the bodies of the batches the real function processed. */
function recordingInvoker(processed: string[]): FunctionInvoker {
  return {
    async invoke(functionName, event) {
      const result = await runner.invoke(functionName, event);
      if (result.status === 'ok') {
        const records = (event as { Records: (SQSRecord | KinesisStreamRecord)[] }).Records;
        for (const record of records) {
          processed.push(
            'body' in record
              ? record.body
              : Buffer.from(record.kinesis.data, 'base64').toString('utf8'),
          );
        }
      }
      return result;
    },
  };
}

const POLLING = {
  sqsWaitTimeSeconds: 1,
  kinesisPollIntervalMs: 50,
  backoff: { initialMs: 20, maxMs: 200 },
};

describe('an emulator restarted under its poller', () => {
  it(
    'SQS: the poller says it lost the queue and recovered, and processes what is sent after',
    async () => {
      let emulator = await startSqsEmulator();
      const port = Number(new URL(emulator.endpoint).port);
      const sqs = new SQSClient({
        region: REGION,
        credentials: CREDENTIALS,
        endpoint: emulator.endpoint,
      });
      const create = async () =>
        (await sqs.send(new CreateQueueCommand({ QueueName: 'orders' }))).QueueUrl!;
      const queueUrl = await create();
      const logger = recordingLogger();
      const processed: string[] = [];
      const mappings = await startMappings({
        architecture: {
          functions: [functionSpec('Consumer')],
          queues: [queueSpec('Orders')],
          eventSources: [sqsEvents('Orders')],
          subscriptions: [],
        },
        resources: new Map([['Orders', { ref: queueUrl, attributes: {} }]]),
        endpoints: { sqs: emulator.endpoint },
        invoker: recordingInvoker(processed),
        logger,
        polling: POLLING,
      });
      const label = 'SQS Orders -> Consumer';
      try {
        for (let restart = 1; restart <= RESTARTS; restart++) {
          count(figures.faultsInjected, 'SQS emulator restart');
          await sqs.send(
            new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `before ${restart}` }),
          );
          await waitFor(`before ${restart}`, () => processed.includes(`before ${restart}`));

          await emulator.close();
          await waitFor('the outage logged', () => logger.lines('warn', label).length === restart);
          emulator = await startSqsEmulator({ port });
          expect(await create()).toBe(queueUrl);
          await sqs.send(
            new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `after ${restart}` }),
          );
          await waitFor(`after ${restart}`, () => processed.includes(`after ${restart}`));
          await waitFor(
            'the recovery logged',
            () => logger.lines('info', 'recovered').length === restart,
          );
          figures.restarts.sqs += 1;
          figures.restarts.processedAfter += 1;
          count(figures.faultsSurvived, 'SQS emulator restart');
        }
        const outages = logger.lines('warn', label);
        expect(outages).toHaveLength(RESTARTS);
        for (const line of outages)
          expect(line).toMatch(/retrying with backoff until it recovers\.$/);
        expect(logger.lines('info', `${label}: recovered.`)).toHaveLength(RESTARTS);
        figures.restarts.outagesLogged += outages.length;
        figures.restarts.recoveriesLogged += RESTARTS;
      } finally {
        await mappings.stop();
        sqs.destroy();
        await emulator.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'Kinesis: the shard poller says it lost the stream and recovered, and reads what is put after',
    async () => {
      let emulator = await startKinesisEmulator();
      const port = Number(new URL(emulator.endpoint).port);
      const kinesis = new KinesisClient({
        region: REGION,
        credentials: CREDENTIALS,
        endpoint: emulator.endpoint,
        requestHandler: new NodeHttpHandler(),
      });
      const create = () =>
        kinesis.send(new CreateStreamCommand({ StreamName: 'events', ShardCount: 1 }));
      const put = (data: string) =>
        kinesis.send(
          new PutRecordCommand({
            StreamName: 'events',
            Data: Buffer.from(data),
            PartitionKey: 'key',
          }),
        );
      await create();
      const logger = recordingLogger();
      const processed: string[] = [];
      const mappings = await startMappings({
        architecture: {
          functions: [functionSpec('Consumer')],
          queues: [],
          eventSources: [kinesisEvents('Events')],
          subscriptions: [],
        },
        resources: new Map([['Events', { ref: 'events', attributes: {} }]]),
        endpoints: { kinesis: emulator.endpoint },
        invoker: recordingInvoker(processed),
        logger,
        polling: POLLING,
      });
      const label = 'Kinesis Events -> Consumer';
      try {
        for (let restart = 1; restart <= RESTARTS; restart++) {
          count(figures.faultsInjected, 'Kinesis emulator restart');
          await put(`before ${restart}`);
          await waitFor(`before ${restart}`, () => processed.includes(`before ${restart}`));

          await emulator.close();
          await waitFor('the outage logged', () => logger.lines('warn', label).length === restart);
          emulator = await startKinesisEmulator({ port });
          await create();
          await put(`after ${restart}`);
          await waitFor(`after ${restart}`, () => processed.includes(`after ${restart}`));
          await waitFor(
            'the recovery logged',
            () => logger.lines('info', 'recovered').length === restart,
          );
          figures.restarts.kinesis += 1;
          figures.restarts.processedAfter += 1;
          count(figures.faultsSurvived, 'Kinesis emulator restart');
        }
        expect(logger.lines('warn', label)).toHaveLength(RESTARTS);
        expect(logger.lines('info', 'no longer holds the last record read')).toHaveLength(RESTARTS);
        expect(logger.lines('info', `${label} (shardId-000000000000): recovered.`)).toHaveLength(
          RESTARTS,
        );
        // Each record once: nothing read before a restart came back after it.
        expect(processed).toEqual(
          Array.from({ length: RESTARTS }, (_, i) => [`before ${i + 1}`, `after ${i + 1}`]).flat(),
        );
        figures.restarts.outagesLogged += RESTARTS;
        figures.restarts.recoveriesLogged += RESTARTS;
      } finally {
        await mappings.stop();
        kinesis.destroy();
        await emulator.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
