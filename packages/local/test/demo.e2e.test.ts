// The main job end to end: the reference system of examples/seed-architecture run on the
// embedded emulators, as `tracebridge demo` runs it, with the structure of its traces checked.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSpan } from '../src/collector/span-model.js';
import { analyseMessages } from '../src/cli/demo-analysis.js';
import { type DemoReport, runDemo } from '../src/cli/demo.js';
import type { Terminal } from '../src/cli/output.js';
import { type LocalRuntime, startLocalRuntime } from '../src/runtime/local-runtime.js';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const template = join(repositoryRoot, 'examples', 'seed-architecture', 'template.yaml');
const MESSAGES = 4;

const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const quiet: Terminal = { out: sink, err: sink, styled: false };

let runtime: LocalRuntime;
let report: DemoReport;
let spans: StoredSpan[];

beforeAll(async () => {
  runtime = await startLocalRuntime({
    templatePath: template,
    collectorPort: 0,
    xrayPort: null,
    buildDir: join(repositoryRoot, '.tmp', 'demo-e2e-build'),
    functionLogs: { write: () => true },
    logger: { info: () => undefined, warn: () => undefined },
    polling: { sqsWaitTimeSeconds: 1, kinesisPollIntervalMs: 200 },
  });
  report = await runDemo(
    runtime,
    { messages: MESSAGES, producer: undefined, timeoutMs: 60_000 },
    quiet,
  );
  spans = runtime.collector.store
    .listTraces({ limit: 1000 })
    .traces.flatMap((summary) => runtime.collector.store.getTrace(summary.traceId)?.spans ?? []);
}, 120_000);

afterAll(async () => {
  await runtime.close();
});

const byId = (traceId: string, spanId: string | null) =>
  spans.find((span) => span.traceId === traceId && span.spanId === spanId);

describe('tracebridge demo on the reference system', () => {
  it('sends, consumes and traces every message, and the counts match', () => {
    expect(report.invocations).toEqual({ succeeded: MESSAGES, failed: 0 });
    expect(report.messages.sent).toBe(2 * MESSAGES);
    expect(report.messages.consumed).toBe(2 * MESSAGES);
    expect(report.messages.deadLettered).toBe(0);
    expect(report.traces).toEqual({ endToEnd: MESSAGES, complete: MESSAGES, broken: 0 });
    expect(report.timedOut).toBe(false);
  });

  it("puts each consumer's SERVER span in the producer's trace, under its send span", () => {
    const messages = analyseMessages(runtime.collector.store);
    expect(messages).toHaveLength(2 * MESSAGES);
    for (const message of messages) {
      const send = byId(message.traceId, message.sendSpanId)!;
      expect(send.kind).toBe('producer');
      expect(send.name).toMatch(/^send Orders(Queue|Stream)$/);
      const placeOrder = byId(send.traceId, send.parentSpanId)!;
      expect(placeOrder.name).toBe('place order');
      expect(placeOrder.service).toBe('producer');
      const consumer = byId(message.traceId, message.consumerSpanId ?? null)!;
      expect(consumer.kind).toBe('server');
      expect(consumer.name).toBe(`process ${send.name.slice('send '.length)}`);
    }
  });

  it('links every consumer span to its invocation, whose parent is the Lambda service span', () => {
    for (const message of analyseMessages(runtime.collector.store)) {
      const consumer = byId(message.traceId, message.consumerSpanId ?? null)!;
      const [link] = consumer.links;
      const invocation = byId(link!.traceId, link!.spanId)!;
      expect(invocation.kind).toBe('server');
      expect(invocation.traceId).not.toBe(consumer.traceId);
      expect(invocation.links.map((back) => back.spanId)).toContain(message.sendSpanId);
      const functionSegment = byId(invocation.traceId, invocation.parentSpanId)!;
      expect(functionSegment.attributes['aws.xray.origin']).toBe('AWS::Lambda::Function');
      const service = byId(functionSegment.traceId, functionSegment.parentSpanId)!;
      expect(service.attributes['aws.xray.origin']).toBe('AWS::Lambda');
      expect(service.parentSpanId).toBeNull();
    }
  });

  it('delivers the payloads byte for byte: the consumers see the digest the producer recorded', () => {
    const produced = spans.filter((span) => span.name === 'place order');
    expect(produced).toHaveLength(MESSAGES);
    for (const placeOrder of produced) {
      const digest = placeOrder.attributes['order.payload_sha256'];
      const consumers = spans.filter(
        (span) => span.traceId === placeOrder.traceId && span.name.startsWith('process '),
      );
      expect(consumers).toHaveLength(2);
      for (const consumer of consumers)
        expect(consumer.attributes['order.payload_sha256']).toBe(digest);
    }
  });
});
