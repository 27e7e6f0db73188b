// The propagators OTEL_PROPAGATORS names, built from tracebridge's own W3C and X-Ray
// propagators (the ones the producer and consumer code use), on @opentelemetry/api alone.

import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { BAGGAGE, TRACEPARENT, TRACESTATE } from '../propagation/names.js';
import { W3CPropagator } from '../propagation/w3c.js';
import { XRayPropagator } from '../propagation/xray.js';
import { PropagatorName } from './options.js';

/**
 * A propagator restricted to some of its fields: W3C Trace Context without Baggage, say. An
 * object over closures rather than a class: a minifier shortens the variables a closure keeps
 * its state in, never the property names of a class's (TypeScript `private`) fields.
 */
function fieldsOf(inner: TextMapPropagator, only: readonly string[]): TextMapPropagator {
  return {
    inject: (context: Context, carrier: unknown, setter: TextMapSetter): void => {
      inner.inject(context, carrier, {
        set: (target, key, value) => {
          if (only.includes(key)) setter.set(target, key, value);
        },
      });
    },
    extract: (context: Context, carrier: unknown, getter: TextMapGetter): Context =>
      inner.extract(context, carrier, {
        keys: (source) => getter.keys(source).filter((key) => only.includes(key)),
        get: (source, key) => (only.includes(key) ? getter.get(source, key) : undefined),
      }),
    fields: () => [...only],
  };
}

/** Several propagators in order; on extraction, a later one's context wins. */
function composite(propagators: readonly TextMapPropagator[]): TextMapPropagator {
  return {
    inject: (context: Context, carrier: unknown, setter: TextMapSetter): void => {
      for (const propagator of propagators) propagator.inject(context, carrier, setter);
    },
    extract: (context: Context, carrier: unknown, getter: TextMapGetter): Context =>
      propagators.reduce(
        (extracted, propagator) => propagator.extract(extracted, carrier, getter),
        context,
      ),
    fields: () => [...new Set(propagators.flatMap((propagator) => propagator.fields()))],
  };
}

/**
 * The propagators `OTEL_PROPAGATORS` names, in its order (`none` stands for nothing).
 *
 * @example
 * createPropagators(['tracecontext', 'xray']);
 */
export function createPropagators(names: readonly PropagatorName[]): TextMapPropagator[] {
  const w3c = new W3CPropagator();
  // Both W3C formats together are exactly what the W3C propagator does on its own.
  const both =
    names.includes(PropagatorName.TraceContext) && names.includes(PropagatorName.Baggage);
  return names.flatMap((name): TextMapPropagator[] => {
    switch (name) {
      case PropagatorName.TraceContext:
        return [both ? w3c : fieldsOf(w3c, [TRACEPARENT, TRACESTATE])];
      case PropagatorName.Baggage:
        return both ? [] : [fieldsOf(w3c, [BAGGAGE])];
      case PropagatorName.XRay:
        return [new XRayPropagator()];
      case PropagatorName.None:
        return [];
    }
  });
}

/**
 * One propagator for the global registration; undefined when there is none.
 *
 * @example
 * propagation.setGlobalPropagator(combinePropagators(createPropagators(['tracecontext', 'xray'])));
 */
export function combinePropagators(
  propagators: readonly TextMapPropagator[],
): TextMapPropagator | undefined {
  return propagators.length <= 1 ? propagators[0] : composite(propagators);
}
