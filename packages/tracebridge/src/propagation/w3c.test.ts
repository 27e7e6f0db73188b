import {
  createTraceState,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type SpanContext,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import {
  CompositePropagator,
  suppressTracing,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type TextMap, textMapGetter, textMapSetter } from './propagator.js';
import { ParsedSpanContext, parseTraceparent, W3CPropagator } from './w3c.js';

const ours = new W3CPropagator();
const official = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

const spanContext: SpanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  traceState: createTraceState('vendor=abc,other=1'),
};

function injectWith(
  propagator: W3CPropagator | CompositePropagator,
  context = ROOT_CONTEXT,
): TextMap {
  const carrier: TextMap = {};
  propagator.inject(context, carrier, textMapSetter);
  return carrier;
}

describe('W3CPropagator', () => {
  it('writes exactly what the official W3C propagators write', () => {
    const baggage = propagation.createBaggage({
      user: { value: 'a b,c' },
      tier: { value: 'gold' },
    });
    const context = propagation.setBaggage(
      trace.setSpanContext(ROOT_CONTEXT, spanContext),
      baggage,
    );
    expect(injectWith(ours, context)).toEqual(injectWith(official, context));
  });

  it('reads back what the official propagators write, and the reverse', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-f]{32}$/),
        fc.stringMatching(/^[0-9a-f]{16}$/),
        fc.boolean(),
        // Non-empty values: W3C Baggage allows empty ones, but @opentelemetry/core drops them.
        fc.dictionary(
          fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/),
          fc.string({ minLength: 1, maxLength: 20 }),
          { maxKeys: 5 },
        ),
        (traceId, spanId, sampled, entries) => {
          fc.pre(!/^0+$/.test(traceId) && !/^0+$/.test(spanId));
          const source: SpanContext = { traceId, spanId, traceFlags: sampled ? 1 : 0 };
          const baggage = propagation.createBaggage(
            Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, { value }])),
          );
          const context = propagation.setBaggage(
            trace.setSpanContext(ROOT_CONTEXT, source),
            baggage,
          );
          for (const [writer, reader] of [
            [official, ours],
            [ours, official],
          ] as const) {
            const read = reader.extract(ROOT_CONTEXT, injectWith(writer, context), textMapGetter);
            expect(trace.getSpanContext(read)).toMatchObject({
              traceId,
              spanId,
              traceFlags: source.traceFlags,
            });
            const readEntries = Object.fromEntries(
              (propagation.getBaggage(read)?.getAllEntries() ?? []).map(([key, entry]) => [
                key,
                entry.value,
              ]),
            );
            expect(readEntries).toEqual(entries);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each([
    ['version ff', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
    ['all-zero trace id', '00-00000000000000000000000000000000-b7ad6b7169203331-01'],
    ['all-zero span id', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01'],
    ['uppercase hex', '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01'],
    [
      'version 00 with extra fields',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
    ],
    ['truncated', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b71692033'],
    ['flags that are not hex', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0g'],
    ['a misplaced separator', '00-0af7651916cd43dd8448eb211c80319cb-7ad6b7169203331-01'],
    [
      'a line break in the fields of a future version',
      '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-a\nb',
    ],
    [
      'a future version whose fields do not start with a dash',
      '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x',
    ],
    ['oversized', `00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01${'x'.repeat(10_000)}`],
  ])('rejects a traceparent with %s', (_, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('marks what it parsed as valid, so that no reader checks the ids again', () => {
    const parsed = parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(parsed).toBeInstanceOf(ParsedSpanContext);
    expect(parsed).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(isSpanContextValid(parsed as SpanContext)).toBe(true);
  });

  it('accepts a future version with more fields, as the spec asks', () => {
    expect(
      parseTraceparent('01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future')?.spanId,
    ).toBe('b7ad6b7169203331');
  });

  it('drops an oversized tracestate and baggage but keeps the span context', () => {
    const carrier = {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: `a=${'x'.repeat(600)}`,
      baggage: `k=${'v'.repeat(9000)}`,
    };
    const context = ours.extract(ROOT_CONTEXT, carrier, textMapGetter);
    expect(trace.getSpanContext(context)?.traceState).toBeUndefined();
    expect(propagation.getBaggage(context)).toBeUndefined();
    expect(trace.getSpanContext(context)?.spanId).toBe('b7ad6b7169203331');
  });

  it('keeps at most 64 baggage members and skips malformed ones', () => {
    const members = Array.from({ length: 70 }, (_, index) => `k${index}=v${index}`);
    const header = ['=novalue', 'bad%zz=1', ...members].join(',');
    const baggage = propagation.getBaggage(
      ours.extract(ROOT_CONTEXT, { baggage: header }, textMapGetter),
    );
    expect(baggage?.getAllEntries()).toHaveLength(64);
    expect(baggage?.getEntry('k0')?.value).toBe('v0');
  });

  it('injects nothing when the SDK suppresses tracing', () => {
    const context = suppressTracing(trace.setSpanContext(ROOT_CONTEXT, spanContext));
    expect(injectWith(ours, context)).toEqual({});
  });
});
