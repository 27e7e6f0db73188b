import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { PropagatorName } from './options.js';
import { combinePropagators, createPropagators } from './propagators.js';

const SPAN = {
  traceId: '5759e988bd862e3fe1be46a994272793',
  spanId: '53995c3f42cd8ad8',
  traceFlags: TraceFlags.SAMPLED,
};
const CONTEXT = propagation.setBaggage(
  trace.setSpanContext(ROOT_CONTEXT, SPAN),
  propagation.createBaggage({ tenant: { value: 'acme' } }),
);

function injected(names: PropagatorName[]): Record<string, string> {
  const carrier: Record<string, string> = {};
  combinePropagators(createPropagators(names))?.inject(CONTEXT, carrier, defaultTextMapSetter);
  return carrier;
}

describe('createPropagators', () => {
  it('writes both W3C formats by default names', () => {
    expect(injected(['tracecontext', 'baggage'])).toEqual({
      traceparent: `00-${SPAN.traceId}-${SPAN.spanId}-01`,
      baggage: 'tenant=acme',
    });
  });

  it('keeps trace context and baggage apart when only one is named', () => {
    expect(Object.keys(injected(['tracecontext']))).toEqual(['traceparent']);
    expect(Object.keys(injected(['baggage']))).toEqual(['baggage']);
  });

  it('reads only the named format', () => {
    const carrier = {
      traceparent: `00-${SPAN.traceId}-${SPAN.spanId}-01`,
      baggage: 'tenant=acme',
    };

    const [baggageOnly] = createPropagators(['baggage']);
    const context = baggageOnly?.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);

    expect(context && trace.getSpanContext(context)).toBeUndefined();
    expect(context && propagation.getBaggage(context)?.getEntry('tenant')?.value).toBe('acme');
  });

  it('writes the X-Ray header next to the W3C ones, and lets the later format win on reading', () => {
    const propagator = combinePropagators(createPropagators(['xray', 'tracecontext']));
    const carrier = {
      'X-Amzn-Trace-Id':
        'Root=1-11111111-111111111111111111111111;Parent=1111111111111111;Sampled=1',
      traceparent: `00-${SPAN.traceId}-${SPAN.spanId}-01`,
    };

    const context = propagator?.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);

    expect(injected(['xray', 'tracecontext'])).toMatchObject({
      'X-Amzn-Trace-Id':
        'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      traceparent: `00-${SPAN.traceId}-${SPAN.spanId}-01`,
    });
    expect(context && trace.getSpanContext(context)?.traceId).toBe(SPAN.traceId);
    expect(propagator?.fields()).toEqual(['X-Amzn-Trace-Id', 'traceparent', 'tracestate']);
  });

  it('makes nothing of none', () => {
    expect(createPropagators(['none'])).toEqual([]);
    expect(combinePropagators([])).toBeUndefined();
  });
});
