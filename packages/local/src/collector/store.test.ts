import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { MAX_ATTRIBUTE_DEPTH, type JsonValue } from './span-model.js';
import { type AttributeFilter, createTraceStore } from './store.js';
import { exportOf, otlpSpan, spanIdOf, traceIdOf } from './test-support/requests.js';
import type { OtlpAnyValue } from './otlp-types.js';

describe('the trace tree', () => {
  it('nests children under parents in start order, depth first', () => {
    const store = createTraceStore();
    store.add(
      exportOf('orders', [
        otlpSpan({ trace: 1, span: 3, parent: 1, name: 'second child', startMs: 20 }),
        otlpSpan({ trace: 1, span: 1, name: 'root', durationMs: 100 }),
        otlpSpan({ trace: 1, span: 4, parent: 2, name: 'grandchild', startMs: 6 }),
        otlpSpan({ trace: 1, span: 2, parent: 1, name: 'first child', startMs: 5 }),
      ]),
    );

    const trace = store.getTrace(traceIdOf(1));

    expect(trace?.spans.map((span) => [span.name, span.depth])).toEqual([
      ['root', 0],
      ['first child', 1],
      ['grandchild', 2],
      ['second child', 1],
    ]);
    expect(trace?.rootSpanIds).toEqual([spanIdOf(1)]);
    expect(trace?.spans[0]?.childSpanIds).toEqual([spanIdOf(2), spanIdOf(3)]);
    expect(trace?.summary).toMatchObject({
      rootName: 'root',
      rootService: 'orders',
      hasRoot: true,
      spansWithMissingParent: 0,
      spanCount: 4,
      durationMs: 100,
    });
  });

  it('shows a span whose parent has not arrived as a root, and re-nests it when it does', () => {
    const store = createTraceStore();
    store.add(exportOf('consumer', [otlpSpan({ trace: 1, span: 2, parent: 1, name: 'process' })]));

    const before = store.getTrace(traceIdOf(1));
    expect(before?.spans[0]).toMatchObject({ name: 'process', depth: 0, missingParent: true });
    expect(before?.summary).toMatchObject({
      hasRoot: false,
      rootName: 'process',
      spansWithMissingParent: 0,
    });

    store.add(exportOf('producer', [otlpSpan({ trace: 1, span: 1, name: 'send', startMs: -5 })]));

    const after = store.getTrace(traceIdOf(1));
    expect(after?.spans.map((span) => [span.name, span.depth, span.missingParent])).toEqual([
      ['send', 0, false],
      ['process', 1, false],
    ]);
    expect(after?.summary.services).toEqual(['producer', 'consumer']);
  });

  it('keeps every span of a parent cycle instead of losing it', () => {
    const store = createTraceStore();
    store.add(
      exportOf('loop', [
        otlpSpan({ trace: 1, span: 1, parent: 2 }),
        otlpSpan({ trace: 1, span: 2, parent: 1, startMs: 1 }),
      ]),
    );

    expect(store.getTrace(traceIdOf(1))?.spans.map((span) => span.spanId)).toEqual([
      spanIdOf(1),
      spanIdOf(2),
    ]);
  });
});

describe('links', () => {
  // A message trace (producer -> consumer) and the invocation trace the consumer ran in.
  function messageAndInvocation(): ReturnType<typeof createTraceStore> {
    const store = createTraceStore();
    store.add(
      exportOf('lambda', [otlpSpan({ trace: 2, span: 20, name: 'Invoke consumer', kind: 2 })]),
    );
    store.add(exportOf('producer', [otlpSpan({ trace: 1, span: 10, name: 'produce' })]));
    store.add(
      exportOf('consumer', [
        otlpSpan({
          trace: 1,
          span: 11,
          parent: 10,
          name: 'process orders',
          kind: 2,
          links: [
            { trace: 2, span: 20 },
            { trace: 2, span: 99 },
            { trace: 3, span: 30 },
          ],
        }),
      ]),
    );
    return store;
  }

  it('resolves each link to the span and trace it points at, or says they are missing', () => {
    const store = messageAndInvocation();

    const consumer = store
      .getTrace(traceIdOf(1))
      ?.spans.find((span) => span.spanId === spanIdOf(11));

    expect(consumer?.links).toEqual([
      expect.objectContaining({
        traceId: traceIdOf(2),
        spanId: spanIdOf(20),
        traceInStore: true,
        spanInStore: true,
        target: { name: 'Invoke consumer', service: 'lambda', kind: 'server' },
        targetTraceRoot: { name: 'Invoke consumer', service: 'lambda' },
      }),
      expect.objectContaining({ spanId: spanIdOf(99), traceInStore: true, spanInStore: false }),
      expect.objectContaining({
        traceId: traceIdOf(3),
        traceInStore: false,
        spanInStore: false,
        target: null,
        targetTraceRoot: null,
      }),
    ]);
  });

  it('stores each link as sent, whether spans share it or not', () => {
    const store = createTraceStore();
    const withAttribute = {
      traceId: traceIdOf(9),
      spanId: spanIdOf(9),
      traceState: '',
      attributes: [{ key: 'kind', value: { stringValue: 'batch' } }],
      droppedAttributesCount: 0,
      flags: 1,
    };
    const span = (n: number, links: { trace: number; span: number }[]) =>
      otlpSpan({ trace: n, span: n, links });
    store.add(
      exportOf('svc', [
        span(1, [{ trace: 9, span: 9 }]),
        span(2, [{ trace: 9, span: 9 }]),
        span(3, [
          { trace: 9, span: 9 },
          { trace: 8, span: 9 },
        ]),
        { ...span(4, []), links: [withAttribute] },
        { ...span(5, []), links: [{ ...withAttribute, traceState: 'k=v', attributes: [] }] },
      ]),
    );
    const linksOf = (n: number) => store.getSpans(traceIdOf(n))?.get(spanIdOf(n))?.links;
    const plain = (trace: number) => ({
      traceId: traceIdOf(trace),
      spanId: spanIdOf(9),
      traceState: '',
      attributes: {},
    });

    expect(linksOf(1)).toEqual([plain(9)]);
    expect(linksOf(2)).toEqual([plain(9)]);
    expect(linksOf(3)).toEqual([plain(9), plain(8)]);
    expect(linksOf(4)).toEqual([{ ...plain(9), attributes: { kind: 'batch' } }]);
    expect(linksOf(5)).toEqual([{ ...plain(9), traceState: 'k=v' }]);
  });

  it('lists, on the linked span, the spans of other traces that link to it', () => {
    const store = messageAndInvocation();

    const invocation = store.getTrace(traceIdOf(2));

    expect(invocation?.spans[0]?.linkedFrom).toEqual([
      {
        traceId: traceIdOf(1),
        spanId: spanIdOf(11),
        name: 'process orders',
        service: 'consumer',
        kind: 'server',
        toSpanId: spanIdOf(20),
        attributes: {},
      },
    ]);
    expect(invocation?.linkedFromMissingSpans).toEqual([
      expect.objectContaining({ spanId: spanIdOf(11), toSpanId: spanIdOf(99) }),
    ]);
  });

  it('forgets incoming links when the trace holding them is evicted', () => {
    const store = createTraceStore({ maxTraces: 2 });
    store.add(exportOf('lambda', [otlpSpan({ trace: 2, span: 20 })]));
    store.add(
      exportOf('consumer', [otlpSpan({ trace: 1, span: 11, links: [{ trace: 2, span: 20 }] })]),
    );
    // The invocation trace gets a span, so the message trace is now the oldest.
    store.add(exportOf('lambda', [otlpSpan({ trace: 2, span: 21, parent: 20 })]));
    store.add(exportOf('other', [otlpSpan({ trace: 3, span: 30 })]));

    expect(store.getTrace(traceIdOf(1))).toBeUndefined();
    expect(store.getTrace(traceIdOf(2))?.spans[0]?.linkedFrom).toEqual([]);
  });
});

describe('limits', () => {
  /** One span whose one attribute is a string of `characters`. */
  const bulkyTrace = (trace: number, characters: number): ReturnType<typeof exportOf> =>
    exportOf('svc', [
      otlpSpan({
        trace,
        span: trace * 10,
        attributes: [{ key: 'payload', value: { stringValue: 'x'.repeat(characters) } }],
      }),
    ]);

  it('evicts the oldest traces once their estimated bytes pass maxBytes, whatever the span count', () => {
    const store = createTraceStore({ maxBytes: 1_000_000 });

    for (let trace = 1; trace <= 10; trace++) store.add(bulkyTrace(trace, 200_000));

    const stats = store.stats();
    // Each span is estimated at two bytes a character: at most two fit in 1,000,000 bytes.
    expect(stats).toMatchObject({ tracesStored: 2, tracesEvicted: 8, maxBytes: 1_000_000 });
    expect(stats.bytesStored).toBeGreaterThan(800_000);
    expect(stats.bytesStored).toBeLessThanOrEqual(1_000_000);
    expect(store.getTrace(traceIdOf(10))).toBeDefined();
    expect(store.getTrace(traceIdOf(8))).toBeUndefined();
  });

  it('keeps no trace larger than maxBytes on its own, and counts every byte back out', () => {
    const store = createTraceStore({ maxBytes: 100_000 });
    store.add(bulkyTrace(1, 10_000));

    store.add(bulkyTrace(2, 60_000));

    expect(store.getTrace(traceIdOf(2))).toBeUndefined();
    expect(store.stats()).toMatchObject({ tracesStored: 0, bytesStored: 0, tracesEvicted: 2 });
  });

  it('counts a span received again once, at its later size', () => {
    const store = createTraceStore();
    store.add(bulkyTrace(1, 50_000));
    const once = store.stats().bytesStored;

    store.add(bulkyTrace(1, 10_000));

    expect(store.stats().bytesStored).toBe(once - 2 * 40_000);
  });

  it('estimates attribute values of any depth or width', () => {
    const store = createTraceStore();
    let nested: OtlpAnyValue = { stringValue: 'leaf' };
    for (let depth = 0; depth < 10_000; depth++) {
      nested = { kvlistValue: { values: [{ key: 'k', value: nested }] } };
    }
    const many: OtlpAnyValue = {
      arrayValue: { values: Array.from({ length: 300_000 }, () => ({ boolValue: true })) },
    };

    store.add(
      exportOf('svc', [
        otlpSpan({
          trace: 1,
          span: 10,
          attributes: [
            { key: 'deep', value: nested },
            { key: 'many', value: many },
          ],
        }),
      ]),
    );

    expect(store.stats().bytesStored).toBeGreaterThan(300_000 * 8);
  });

  it('evicts the trace that has gone longest without a span once maxSpans is passed', () => {
    const store = createTraceStore({ maxSpans: 5 });
    const twoSpans = (trace: number): ReturnType<typeof exportOf> =>
      exportOf('svc', [
        otlpSpan({ trace, span: trace * 10 }),
        otlpSpan({ trace, span: trace * 10 + 1, parent: trace * 10 }),
      ]);
    store.add(twoSpans(1));
    store.add(twoSpans(2));
    store.add(exportOf('svc', [otlpSpan({ trace: 1, span: 12, parent: 10 })]));

    store.add(twoSpans(3));

    expect(store.getTrace(traceIdOf(2))).toBeUndefined();
    expect(store.getTrace(traceIdOf(1))?.spans).toHaveLength(3);
    expect(store.stats()).toMatchObject({
      spansReceived: 7,
      spansStored: 5,
      tracesStored: 2,
      tracesEvicted: 1,
      spansEvicted: 2,
      maxSpans: 5,
    });
  });

  it('evicts the oldest traces once maxTraces is passed', () => {
    const store = createTraceStore({ maxTraces: 3 });
    for (let trace = 1; trace <= 5; trace++) {
      store.add(exportOf('svc', [otlpSpan({ trace, span: trace })]));
    }

    expect(
      store
        .listTraces()
        .traces.map((summary) => summary.traceId)
        .sort(),
    ).toEqual([traceIdOf(3), traceIdOf(4), traceIdOf(5)]);
    expect(store.stats()).toMatchObject({ tracesStored: 3, tracesEvicted: 2, spansEvicted: 2 });
  });

  it('keeps evicting the trace longest without a span as traces move, empty and come back', () => {
    const store = createTraceStore({ maxTraces: 3 });
    const add = (trace: number, span: number): void => {
      store.add(exportOf('svc', [otlpSpan({ trace, span })]));
    };
    const held = (): string[] =>
      store
        .listTraces()
        .traces.map((summary) => summary.traceId)
        .sort();
    for (let trace = 1; trace <= 4; trace++) add(trace, trace);
    add(2, 20);
    add(5, 5);
    expect(held()).toEqual([traceIdOf(2), traceIdOf(4), traceIdOf(5)]);

    // Trace 1 was evicted first; a late span makes it the newest trace again.
    add(1, 10);
    add(6, 6);
    expect(held()).toEqual([traceIdOf(1), traceIdOf(5), traceIdOf(6)]);

    const single = createTraceStore({ maxTraces: 1 });
    for (let round = 0; round < 3; round++) {
      single.add(exportOf('svc', [otlpSpan({ trace: 1, span: 1 + round })]));
      single.add(exportOf('svc', [otlpSpan({ trace: 2, span: 1 + round })]));
    }
    expect(single.listTraces().traces.map((summary) => summary.traceId)).toEqual([traceIdOf(2)]);
    expect(single.stats()).toMatchObject({ tracesStored: 1, tracesEvicted: 5 });
  });

  it('keeps the eviction order however many spans a trace gets between evictions', () => {
    // Thousands of spans to one trace, each a new place in the eviction order, with no
    // eviction to drop the old places: the store compacts them and still evicts the right one.
    const store = createTraceStore({ maxTraces: 3, maxSpans: 10_000 });
    for (let trace = 1; trace <= 3; trace++) {
      store.add(exportOf('svc', [otlpSpan({ trace, span: trace })]));
    }
    for (let round = 0; round < 5_000; round++) {
      store.add(exportOf('svc', [otlpSpan({ trace: 1, span: 100 + (round % 50) })]));
    }
    store.add(exportOf('svc', [otlpSpan({ trace: 4, span: 4 })]));
    store.add(exportOf('svc', [otlpSpan({ trace: 5, span: 5 })]));

    expect(
      store
        .listTraces()
        .traces.map((summary) => summary.traceId)
        .sort(),
    ).toEqual([traceIdOf(1), traceIdOf(4), traceIdOf(5)]);
    expect(store.stats()).toMatchObject({
      spansStored: 53,
      spansDuplicated: 4_950,
      tracesEvicted: 2,
      spansEvicted: 2,
    });
  });

  it('takes exactly the ids of 32 and 16 lowercase hex digits that are not all zero', () => {
    const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;
    const SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/;
    const digits = (length: number) =>
      fc.oneof(
        fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`)),
        fc.stringMatching(new RegExp(`^[0F]{${length}}$`)),
        fc.constant('0'.repeat(length)),
        fc.string({ minLength: length - 1, maxLength: length + 1 }),
      );
    fc.assert(
      fc.property(digits(32), digits(16), (traceId, spanId) => {
        const store = createTraceStore();
        const result = store.add(
          exportOf('svc', [{ ...otlpSpan({ trace: 1, span: 1 }), traceId, spanId }]),
        );
        expect(result.accepted).toBe(TRACE_ID.test(traceId) && SPAN_ID.test(spanId) ? 1 : 0);
      }),
    );
  });

  it('rejects spans with invalid ids and counts a span sent twice once', () => {
    const store = createTraceStore();
    const good = otlpSpan({ trace: 1, span: 1 });

    const result = store.add(
      exportOf('svc', [
        good,
        good,
        { ...good, traceId: '0'.repeat(32) },
        { ...good, spanId: 'not hex' },
        { ...good, traceId: 'ABC' },
      ]),
    );

    expect(result).toMatchObject({ accepted: 2, rejected: 3 });
    expect(result.rejectedReason).toMatch(/3 span\(s\) without a valid trace id/);
    expect(store.stats()).toMatchObject({
      spansReceived: 5,
      spansRejected: 3,
      spansDuplicated: 1,
      spansStored: 1,
    });
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => createTraceStore({ maxSpans: 0 })).toThrow(/maxSpans must be a positive integer/);
    expect(() => createTraceStore({ maxTraces: 1.5 })).toThrow(RangeError);
  });
});

describe('summaries and the trace list', () => {
  function threeTraces(): ReturnType<typeof createTraceStore> {
    const store = createTraceStore();
    store.add(exportOf('producer', [otlpSpan({ trace: 1, span: 1, name: 'produce', startMs: 0 })]));
    store.add(
      exportOf('consumer', [
        otlpSpan({
          trace: 1,
          span: 2,
          parent: 1,
          name: 'process Orders',
          startMs: 50,
          error: true,
        }),
      ]),
    );
    store.add(
      exportOf('producer', [otlpSpan({ trace: 2, span: 3, name: 'produce', startMs: 1_000 })]),
    );
    store.add(
      exportOf(undefined, [otlpSpan({ trace: 3, span: 4, name: 'anonymous', startMs: 2_000 })]),
    );
    return store;
  }

  it('summarises root, services, duration and errors', () => {
    const [, , first] = threeTraces().listTraces().traces;

    expect(first).toMatchObject({
      traceId: traceIdOf(1),
      rootSpanId: spanIdOf(1),
      rootName: 'produce',
      rootService: 'producer',
      services: ['producer', 'consumer'],
      spanCount: 2,
      durationMs: 60,
      errorCount: 1,
      hasError: true,
    });
    expect(first?.startMs).toBe(1_700_000_000_000);
  });

  it('lists newest first and filters by service, name, trace id prefix and limit', () => {
    const store = threeTraces();
    const ids = (filter: Parameters<typeof store.listTraces>[0]): string[] =>
      store.listTraces(filter).traces.map((summary) => summary.traceId);

    expect(ids({})).toEqual([traceIdOf(3), traceIdOf(2), traceIdOf(1)]);
    expect(ids({ service: 'consumer' })).toEqual([traceIdOf(1)]);
    expect(ids({ service: 'unknown_service' })).toEqual([traceIdOf(3)]);
    expect(ids({ name: 'ORDERS' })).toEqual([traceIdOf(1)]);
    expect(ids({ traceIdPrefix: traceIdOf(2).slice(0, 30) })).toEqual([traceIdOf(2)]);
    expect(store.listTraces({ limit: 1 })).toMatchObject({
      matched: 3,
      traces: [{ traceId: traceIdOf(3) }],
    });
  });

  it('filters by a span attribute: a key equal to a value, or any value containing text', () => {
    const store = createTraceStore();
    store.add(
      exportOf('producer', [
        otlpSpan({
          trace: 1,
          span: 1,
          attributes: [
            { key: 'order.id', value: { stringValue: 'order-0001' } },
            { key: 'order.items', value: { intValue: '2' } },
          ],
        }),
        otlpSpan({
          trace: 2,
          span: 2,
          startMs: 10,
          attributes: [
            { key: 'order.id', value: { stringValue: 'ORDER-0002' } },
            { key: 'retry', value: { boolValue: true } },
          ],
        }),
        otlpSpan({
          trace: 3,
          span: 3,
          attributes: [{ key: 'ratio', value: { doubleValue: 1.5 } }],
        }),
      ]),
    );
    const ids = (attribute: AttributeFilter): string[] =>
      store.listTraces({ attribute }).traces.map((summary) => summary.traceId);

    expect(ids({ key: 'order.id', equals: 'order-0001' })).toEqual([traceIdOf(1)]);
    // Exact: case counts, and a prefix is not enough.
    expect(ids({ key: 'order.id', equals: 'order-0002' })).toEqual([]);
    expect(ids({ key: 'order.id', equals: 'order-000' })).toEqual([]);
    // Numbers and booleans by their text.
    expect(ids({ key: 'order.items', equals: '2' })).toEqual([traceIdOf(1)]);
    expect(ids({ key: 'ratio', equals: '1.5' })).toEqual([traceIdOf(3)]);
    expect(ids({ key: 'retry', equals: 'true' })).toEqual([traceIdOf(2)]);
    // A key the object inherits is no attribute.
    expect(ids({ key: 'constructor', equals: 'function Object() { [native code] }' })).toEqual([]);

    expect(ids({ contains: 'Order-000' })).toEqual([traceIdOf(2), traceIdOf(1)]);
    expect(ids({ contains: '1.5' })).toEqual([traceIdOf(3)]);
    expect(ids({ contains: 'order.id' })).toEqual([]);
    // With the other filters, all must hold.
    expect(
      store.listTraces({ attribute: { contains: 'order' }, traceIdPrefix: traceIdOf(2) }).matched,
    ).toBe(1);
  });
});

describe('the span model', () => {
  function storedAttributes(
    values: Record<string, OtlpAnyValue>,
  ): Record<string, JsonValue> | undefined {
    const store = createTraceStore();
    const attributes = Object.entries(values).map(([key, value]) => ({ key, value }));
    store.add(exportOf('svc', [otlpSpan({ trace: 1, span: 1, attributes })]));
    return store.getTrace(traceIdOf(1))?.spans[0]?.attributes;
  }

  it('turns OTLP values into plain JSON without losing precision', () => {
    const attributes = storedAttributes({
      text: { stringValue: 'a' },
      small: { intValue: '42' },
      huge: { intValue: '9007199254740993' },
      ratio: { doubleValue: 0.5 },
      nan: { doubleValue: NaN },
      flag: { boolValue: true },
      bytes: { bytesValue: 'AQI=' },
      list: { arrayValue: { values: [{ stringValue: 'x' }, {}] } },
      map: { kvlistValue: { values: [{ key: 'k', value: { intValue: '1' } }] } },
    });

    expect(attributes).toEqual({
      text: 'a',
      small: 42,
      huge: '9007199254740993',
      ratio: 0.5,
      nan: 'NaN',
      flag: true,
      bytes: 'AQI=',
      list: ['x', null],
      map: { k: 1 },
    });
  });

  it('keeps a __proto__ key as data and cuts values nested absurdly deep', () => {
    let deep: OtlpAnyValue = { stringValue: 'bottom' };
    for (let i = 0; i < MAX_ATTRIBUTE_DEPTH + 10; i++) deep = { arrayValue: { values: [deep] } };

    const attributes = storedAttributes({ ['__proto__']: { stringValue: 'polluted?' }, deep });

    expect(Object.hasOwn(attributes ?? {}, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(attributes)).toContain('[nested too deep]');
  });

  it('keeps durations exact to the nanosecond, however far apart, and times before 1970', () => {
    const store = createTraceStore();
    const timed = (span: number, start: string, end: string) => ({
      ...otlpSpan({ trace: 1, span }),
      startTimeUnixNano: start,
      endTimeUnixNano: end,
    });
    store.add(
      exportOf('svc', [
        timed(1, '1699999999999999999', '1700000000000000001'),
        timed(2, '0', '1700000000123456789'),
        timed(3, '-1500', '999'),
        timed(4, '5', '7'),
      ]),
    );
    const spans = store.getSpans(traceIdOf(1));

    expect(spans?.get(spanIdOf(1))).toMatchObject({ durationMs: 2e-6, endMs: 1_700_000_000_000 });
    expect(spans?.get(spanIdOf(2))).toMatchObject({
      startMs: 0,
      durationMs: Number(1_700_000_000_123_456_789n) / 1e6,
    });
    expect(spans?.get(spanIdOf(3))).toMatchObject({
      startMs: -0.001,
      endMs: 0,
      durationMs: 0.002499,
    });
    expect(spans?.get(spanIdOf(4))).toMatchObject({ startMs: 0, durationMs: 2e-6 });
  });

  it('computes every timing as BigInt arithmetic on the nanoseconds would', () => {
    const nanos = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.bigInt({ min: 1_600_000_000_000_000_000n, max: 1_900_000_000_000_000_000n }),
      fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
    );
    fc.assert(
      fc.property(nanos, nanos, (start, end) => {
        const store = createTraceStore();
        const span = {
          ...otlpSpan({ trace: 1, span: 1 }),
          startTimeUnixNano: start.toString(),
          endTimeUnixNano: end.toString(),
        };
        store.add(exportOf('svc', [span]));
        const stored = store.getSpans(traceIdOf(1))?.get(spanIdOf(1));
        // Whole microseconds (cut toward zero) in milliseconds, as the model documents.
        const ms = (value: bigint): number => Number(value / 1000n) / 1000;
        expect(stored?.startMs).toBe(ms(start));
        expect(stored?.endMs).toBe(ms(end));
        expect(stored?.durationMs).toBe(Math.max(0, Number(end - start) / 1e6));
      }),
    );
  });

  it('keeps the span timing exact and in milliseconds, and the resource and scope', () => {
    const store = createTraceStore();
    const span = {
      ...otlpSpan({ trace: 1, span: 1 }),
      startTimeUnixNano: '1700000000123456789',
      endTimeUnixNano: '1700000000124456789',
    };
    store.add(exportOf('svc', [span]));

    expect(store.getTrace(traceIdOf(1))?.spans[0]).toMatchObject({
      startTimeUnixNano: '1700000000123456789',
      startMs: 1_700_000_000_123.456,
      durationMs: 1,
      kind: 'internal',
      status: { code: 'unset', message: '' },
      resource: { attributes: { 'service.name': 'svc' } },
      scope: { name: 'test', version: '1.0.0' },
    });
  });
});

describe('waiting for spans', () => {
  it('tells subscribers what arrived and resolves waitFor once the condition holds', async () => {
    const store = createTraceStore();
    const seen: string[][] = [];
    const unsubscribe = store.subscribe((added) => seen.push([...added.traceIds]));
    const arrived = store.waitFor(() => store.stats().spansStored >= 2);

    store.add(exportOf('svc', [otlpSpan({ trace: 1, span: 1 })]));
    store.add(exportOf('svc', [otlpSpan({ trace: 2, span: 2 })]));
    unsubscribe();
    store.add(exportOf('svc', [otlpSpan({ trace: 3, span: 3 })]));

    await expect(arrived).resolves.toBeUndefined();
    expect(seen).toEqual([[traceIdOf(1)], [traceIdOf(2)]]);
  });

  it('rejects waitFor with the abort reason', async () => {
    const store = createTraceStore();
    const controller = new AbortController();
    const waiting = store.waitFor(() => false, { signal: controller.signal });

    controller.abort(new Error('gave up'));

    await expect(waiting).rejects.toThrow('gave up');
  });

  it('keeps storing when a subscriber throws, and warns', () => {
    const store = createTraceStore();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    store.subscribe(() => {
      throw new Error('display broke');
    });

    store.add(exportOf('svc', [otlpSpan({ trace: 1, span: 1 })]));

    expect(store.stats().spansStored).toBe(1);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('display broke'),
      'TraceStoreWarning',
    );
    warn.mockRestore();
  });
});
