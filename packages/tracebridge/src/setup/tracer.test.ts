import {
  type Attributes,
  type Context,
  context,
  ROOT_CONTEXT,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type TracerProvider,
  createTraceState,
  trace,
} from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  SamplingDecision,
  SimpleSpanProcessor,
  type SpanLimits,
} from '@opentelemetry/sdk-trace-base';
import { decodeExportTraceServiceRequest } from '@tracebridge/local/collector';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DiagSpy, spyOnDiag } from '../test-support/guards.js';
import { AsyncLocalStorageContextManager } from './context-manager.js';
import { encodeTraceRequest } from './exporters/otlp/protobuf.js';
import { createSampler } from './sampler.js';
import { LeanTracerProvider } from './tracer.js';

const LIMITS: Required<SpanLimits> = {
  attributeCountLimit: 6,
  attributeValueLengthLimit: 5,
  eventCountLimit: 3,
  linkCountLimit: 2,
  attributePerEventCountLimit: 2,
  attributePerLinkCountLimit: 1,
};
const UNLIMITED: Required<SpanLimits> = {
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
};
const REMOTE: SpanContext = {
  traceId: '5759e988bd862e3fe1be46a994272793',
  spanId: '53995c3f42cd8ad8',
  traceFlags: TraceFlags.SAMPLED,
  traceState: createTraceState('vendor=abc'),
  isRemote: true,
};
const UNSAMPLED_REMOTE: SpanContext = { ...REMOTE, traceFlags: TraceFlags.NONE };
const T0: [number, number] = [1_700_000_000, 500_000_000];
// One error for both providers: its stack names the line that made it.
const THROWN = new TypeError('bad type');

/** Ids counted up from 1, so that both providers give the same spans the same ids. */
function countingIds(): { generateTraceId(): string; generateSpanId(): string } {
  let next = 0;
  const id = (digits: number): string => (++next).toString(16).padStart(digits, '0');
  return { generateTraceId: () => id(32), generateSpanId: () => id(16) };
}

/** A sampler that adds an attribute and a trace state, and drops spans named `drop`. */
const TAGGING_SAMPLER: Sampler = {
  shouldSample: (_context, _traceId, name) =>
    name === 'drop'
      ? { decision: SamplingDecision.NOT_RECORD }
      : {
          decision:
            name === 'record only' ? SamplingDecision.RECORD : SamplingDecision.RECORD_AND_SAMPLED,
          attributes: { 'sampler.tag': 'kept' },
          traceState: createTraceState('sampler=1'),
        },
  toString: () => 'Tagging',
};

interface Setup {
  readonly sampler: Sampler;
  readonly limits: Required<SpanLimits>;
}

function sdk(exporter: InMemorySpanExporter, setup: Setup): TracerProvider {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders' }),
    sampler: setup.sampler,
    spanLimits: setup.limits,
    idGenerator: countingIds(),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
}

function lean(exporter: InMemorySpanExporter, setup: Setup): TracerProvider {
  return new LeanTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders' }),
    sampler: setup.sampler,
    limits: setup.limits,
    idGenerator: countingIds(),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
}

/** Every operation of the Span API, bad input included, with explicit times throughout. */
function everyOperation(provider: TracerProvider): void {
  const tracer = provider.getTracer('scope', '1.0.0', { schemaUrl: 'https://example.com/s' });
  const remote = trace.setSpanContext(ROOT_CONTEXT, REMOTE);
  const attributes = {
    short: 'abc',
    long: 'abcdefgh',
    list: ['abcdefgh', 'ab', null],
    number: 1.5,
    flag: false,
    object: {},
    mixed: ['a', 1],
    '': 'empty key',
    missing: undefined,
  } as unknown as Attributes;
  const span = tracer.startSpan(
    'first',
    {
      kind: SpanKind.SERVER,
      attributes,
      startTime: T0,
      links: [
        { context: REMOTE, attributes: { a: 1, b: 2 } },
        { context: UNSAMPLED_REMOTE },
        { context: { ...REMOTE, spanId: 'aaaaaaaaaaaaaaaa' }, attributes: { c: 'abcdefgh' } },
      ],
    },
    remote,
  );
  span.setAttribute('later', 'abcdefgh');
  span.setAttribute('number', 2);
  span.setAttribute('over.limit', 1);
  span.setAttributes({ 'also.over': 2, short: 'xyz' });
  span.setAttribute('bad', { nested: true } as never);
  for (let i = 0; i < 5; i++)
    span.addEvent(`event ${i}`, { i, j: 'abcdefgh', k: 3 }, [T0[0] + i, 0]);
  span.addEvent('time as second argument', [T0[0] + 9, 1]);
  span.addLink({ context: REMOTE, attributes: { added: true } });
  span.addLinks([{ context: UNSAMPLED_REMOTE }]);
  span.recordException(THROWN, [T0[0] + 10, 0]);
  span.recordException('just text', [T0[0] + 11, 0]);
  span.recordException({ code: 'E_CODE', message: 'with a code' }, [T0[0] + 12, 0]);
  span.recordException({} as never, [T0[0] + 13, 0]);
  span.setStatus({ code: SpanStatusCode.ERROR, message: 42 as never });
  span.setStatus({ code: SpanStatusCode.UNSET });
  span.updateName('renamed');
  span.end([T0[0] + 20, 0]);
  span.setAttribute('after.end', 1);
  span.setStatus({ code: SpanStatusCode.OK });
  span.end([T0[0] + 30, 0]);

  const child = tracer.startSpan(
    'child',
    { kind: SpanKind.CONSUMER, startTime: new Date(1_700_000_100_250) },
    trace.setSpan(ROOT_CONTEXT, span),
  );
  child.setStatus({ code: SpanStatusCode.OK });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'too late' });
  child.end(1_700_000_101_500);

  tracer.startSpan('root despite a parent', { root: true, startTime: T0 }, remote).end(T0);
  tracer
    .startSpan(
      'unsampled parent',
      { startTime: T0 },
      trace.setSpanContext(ROOT_CONTEXT, UNSAMPLED_REMOTE),
    )
    .end(T0);
  tracer.startSpan('drop', { startTime: T0 }).end(T0);
  tracer.startSpan('record only', { startTime: T0 }).end(T0);
  tracer.startSpan('ends before it starts', { startTime: T0 }).end([T0[0] - 1, 0]);
  provider.getTracer('other scope').startSpan('plain', { startTime: T0 }).end(T0);
}

/** What an exporter sees of a span, with ids and times as they are. */
function exported(span: ReadableSpan): object {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events,
    ended: span.ended,
    scope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

function run(
  make: (exporter: InMemorySpanExporter, setup: Setup) => TracerProvider,
  setup: Setup,
  scenario: (provider: TracerProvider) => void,
): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  scenario(make(exporter, setup));
  return exporter.getFinishedSpans();
}

const diagnostics: DiagSpy = spyOnDiag();

describe('LeanTracerProvider', () => {
  beforeEach(() => {
    diagnostics.reset();
  });

  it.each([
    ['tight limits and a sampler that tags', { sampler: TAGGING_SAMPLER, limits: LIMITS }],
    [
      'default limits, parent-based sampling',
      { sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), limits: UNLIMITED },
    ],
    [
      "tracebridge's own parent-based sampler",
      { sampler: createSampler('parentbased_always_on', 1), limits: UNLIMITED },
    ],
  ])('records exactly the spans the SDK records, with %s', (_name, setup) => {
    const theirs = run(sdk, setup, everyOperation).map(exported);
    const ours = run(lean, setup, everyOperation).map(exported);

    expect(ours).toEqual(theirs);
    expect(ours.length).toBeGreaterThanOrEqual(6);
  });

  it('encodes to the same OTLP bytes as the SDK, through the official serializer', () => {
    const setup = { sampler: TAGGING_SAMPLER, limits: LIMITS };
    const theirs = ProtobufTraceSerializer.serializeRequest(run(sdk, setup, everyOperation));
    const ourSpans = run(lean, setup, everyOperation);
    const ours = ProtobufTraceSerializer.serializeRequest(ourSpans);

    expect(ours).toEqual(theirs);
    expect(decodeExportTraceServiceRequest(encodeTraceRequest(ourSpans))).toEqual(
      decodeExportTraceServiceRequest(ours ?? new Uint8Array()),
    );
  });

  it('times spans by the wall clock at the start and the monotonic clock after', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = lean(exporter, { sampler: TAGGING_SAMPLER, limits: UNLIMITED }).getTracer('t');
    const before = Date.now();
    const span = tracer.startSpan('timed');
    span.addEvent('midway');
    const busyUntil = performance.now() + 3;
    while (performance.now() < busyUntil);
    span.end();
    const after = Date.now();
    const [finished] = exporter.getFinishedSpans();
    const ms = (time: readonly [number, number]): number => time[0] * 1_000 + time[1] / 1e6;

    expect(ms(finished!.startTime)).toBeGreaterThanOrEqual(before);
    expect(ms(finished!.endTime)).toBeLessThanOrEqual(after + 1);
    expect(ms(finished!.duration)).toBeGreaterThanOrEqual(3);
    expect(ms(finished!.events[0]!.time)).toBeGreaterThanOrEqual(ms(finished!.startTime));
    expect(ms(finished!.events[0]!.time)).toBeLessThanOrEqual(ms(finished!.endTime));
    expect(finished!.endTime[1]).toBeLessThan(1e9);
  });

  it('reads a number no later than performance.now() as a performance timestamp', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = lean(exporter, { sampler: TAGGING_SAMPLER, limits: UNLIMITED }).getTracer('t');
    const span = tracer.startSpan('perf', { startTime: performance.now() });
    span.end();
    const [finished] = exporter.getFinishedSpans();

    expect(Math.abs(finished!.startTime[0] - Date.now() / 1_000)).toBeLessThan(2);
  });

  it('makes no span where tracing is suppressed', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = lean(exporter, { sampler: TAGGING_SAMPLER, limits: UNLIMITED }).getTracer('t');
    const suppressed = ROOT_CONTEXT.setValue(
      Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING'),
      true,
    );

    const span = tracer.startSpan('exporter request', {}, suppressed);
    span.end();

    expect(span.isRecording()).toBe(false);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  describe('startActiveSpan', () => {
    let manager: AsyncLocalStorageContextManager;
    beforeEach(() => {
      manager = new AsyncLocalStorageContextManager();
      context.setGlobalContextManager(manager);
    });
    afterEach(() => {
      context.disable();
    });

    it('runs the callback in the span, with every overload, and returns its result', async () => {
      const exporter = new InMemorySpanExporter();
      const tracer = lean(exporter, { sampler: TAGGING_SAMPLER, limits: UNLIMITED }).getTracer('t');
      const parent: Context = trace.setSpanContext(ROOT_CONTEXT, REMOTE);

      const results = [
        tracer.startActiveSpan('one', (span) => {
          span.end();
          return trace.getActiveSpan() === span;
        }),
        tracer.startActiveSpan('two', { kind: SpanKind.CLIENT }, (span) => {
          span.end();
          return trace.getActiveSpan() === span;
        }),
        await tracer.startActiveSpan('three', {}, parent, async (span) => {
          await Promise.resolve();
          span.end();
          return trace.getActiveSpan() === span;
        }),
      ];

      expect(results).toEqual([true, true, true]);
      const spans = exporter.getFinishedSpans();
      expect(spans.map((span) => span.kind)).toEqual([
        SpanKind.INTERNAL,
        SpanKind.CLIENT,
        SpanKind.INTERNAL,
      ]);
      expect(spans[2]?.parentSpanContext?.spanId).toBe(REMOTE.spanId);
      expect(trace.getActiveSpan()).toBeUndefined();
    });
  });

  it('warns instead of throwing on misuse, and keeps the span intact', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = lean(exporter, { sampler: TAGGING_SAMPLER, limits: UNLIMITED }).getTracer('t');
    const span = tracer.startSpan('misused');
    span.end();
    span.end();
    span.setAttribute('late', 1);
    span.recordException(null as never);

    expect(diagnostics.errors).toEqual([expect.stringMatching(/only call end\(\) on a span once/)]);
    expect(diagnostics.warnings).toEqual([
      expect.stringMatching(/setAttribute on ended Span/),
      expect.stringMatching(/Failed to record an exception of type object/),
    ]);
    expect(exporter.getFinishedSpans()[0]?.attributes).toEqual({ 'sampler.tag': 'kept' });
  });

  it('flushes and shuts down every span processor, reporting the first failure', async () => {
    const calls: string[] = [];
    const failing = {
      onStart: () => undefined,
      onEnd: () => undefined,
      forceFlush: () => {
        calls.push('flush a');
        return Promise.reject(new Error('exporter down'));
      },
      shutdown: () => {
        calls.push('shutdown a');
        return Promise.resolve();
      },
    };
    const working = {
      ...failing,
      forceFlush: () => {
        calls.push('flush b');
        return Promise.resolve();
      },
      shutdown: () => {
        calls.push('shutdown b');
        return Promise.resolve();
      },
    };
    const provider = new LeanTracerProvider({
      resource: resourceFromAttributes({}),
      sampler: TAGGING_SAMPLER,
      limits: UNLIMITED,
      idGenerator: countingIds(),
      spanProcessors: [failing, working],
    });

    await expect(provider.forceFlush()).rejects.toThrow('exporter down');
    await provider.shutdown();

    expect(calls).toEqual(['flush a', 'flush b', 'shutdown a', 'shutdown b']);
    expect(provider.getTracer('a')).toBe(provider.getTracer('a'));
    expect(provider.getTracer('a', '2')).not.toBe(provider.getTracer('a'));
  });
});
