import {
  type Attributes,
  ROOT_CONTEXT,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  createTraceState,
  trace,
} from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export const REMOTE_PARENT: SpanContext = {
  traceId: '5759e988bd862e3fe1be46a994272793',
  spanId: '53995c3f42cd8ad8',
  traceFlags: TraceFlags.SAMPLED,
  traceState: createTraceState('vendor=abc,other=1'),
  isRemote: true,
};

/** Attribute values of every kind the encoders handle, edge cases included. */
export const EVERY_ATTRIBUTE: Attributes = {
  empty: '',
  text: 'héllo ✓ 😀',
  long: 'x'.repeat(300),
  yes: true,
  no: false,
  zero: 0,
  small: 7,
  negative: -5,
  minInt32: -(2 ** 31),
  maxUint32: 2 ** 32 - 1,
  above32: 2 ** 32,
  huge: 2 ** 60,
  hugeNegative: -(2 ** 62),
  ratio: 1.5,
  tiny: -1e-300,
  names: ['a', 'b'],
  numbers: [1, 2.5, -3],
  flags: [true, false],
  holes: ['x', null, undefined, 'y'],
  none: [],
};

/**
 * A varied batch: two resources, three scopes, every span kind, a remote parent with trace
 * state, events, links, error status, and attributes dropped by the span limits.
 */
export function sampleSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'faas.max_memory': 134217728 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    spanLimits: { attributeCountLimit: 32, eventCountLimit: 3, linkCountLimit: 2 },
  });
  const other = new BasicTracerProvider({
    resource: resourceFromAttributes(
      { 'service.name': 'billing' },
      { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
    ),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('scope-a', '1.2.3', {
    schemaUrl: 'https://example.com/schema',
  });
  const parent = tracer.startSpan(
    'parent',
    { kind: SpanKind.SERVER, startTime: [1_700_000_000, 123_456_789], attributes: EVERY_ATTRIBUTE },
    trace.setSpanContext(ROOT_CONTEXT, REMOTE_PARENT),
  );
  for (let i = 0; i < 40; i++) parent.setAttribute(`extra.${i}`, i);
  const child = tracer.startSpan(
    'child ✓',
    {
      kind: SpanKind.CONSUMER,
      links: [
        { context: REMOTE_PARENT, attributes: { 'link.kind': 'message', n: 1 } },
        { context: parent.spanContext() },
        { context: { ...REMOTE_PARENT, spanId: 'aaaaaaaaaaaaaaaa' } },
      ],
    },
    trace.setSpan(ROOT_CONTEXT, parent),
  );
  for (let i = 0; i < 5; i++) child.addEvent(`retry ${i}`, { attempt: i }, [1_700_000_001, i]);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom: ünïcode' });
  child.end([1_700_000_002, 0]);
  parent.end([1_700_000_003, 999_999_999]);
  for (const kind of [SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER]) {
    provider.getTracer('scope-b').startSpan(`kind ${kind}`, { kind }).end();
  }
  other
    .getTracer('scope-c', '0.0.1')
    .startSpan('', { attributes: { lone: 'yes' } })
    .end();
  const ok = provider.getTracer('scope-b').startSpan('ok');
  ok.setStatus({ code: SpanStatusCode.OK });
  ok.end();
  return exporter.getFinishedSpans();
}

/** `count` spans of one provider, each carrying `bytesEach` bytes of attribute text. */
export function bulkySpans(count: number, bytesEach: number): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bulk');
  for (let i = 0; i < count; i++) {
    tracer.startSpan(`span ${i}`, { attributes: { payload: 'p'.repeat(bytesEach) } }).end();
  }
  return exporter.getFinishedSpans();
}
