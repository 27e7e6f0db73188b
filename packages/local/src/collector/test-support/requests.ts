// Record factories for the collector's tests: OTLP spans and export requests with every
// field filled, so a test names only what it checks.

import type { OtlpExportTraceServiceRequest, OtlpKeyValue, OtlpSpan } from '../otlp-types.js';

// 2023-11-14T22:13:20Z, a round epoch second in the range X-Ray trace ids cover.
const BASE_NANOS = 1_700_000_000_000_000_000n;

/** A deterministic 32-hex-digit trace id from a small number. */
export function traceIdOf(n: number): string {
  return `${(0x65000000 + n).toString(16)}${n.toString(16).padStart(24, '0')}`;
}

/** A deterministic 16-hex-digit span id from a small number. */
export function spanIdOf(n: number): string {
  return `5a${n.toString(16).padStart(14, '0')}`;
}

export interface SpanInit {
  readonly trace: number;
  readonly span: number;
  readonly parent?: number;
  readonly name?: string;
  /** OTLP kind number; default 1 (internal). */
  readonly kind?: number;
  /** Milliseconds after the base time. */
  readonly startMs?: number;
  readonly durationMs?: number;
  readonly error?: boolean;
  readonly attributes?: readonly OtlpKeyValue[];
  readonly links?: readonly { readonly trace: number; readonly span: number }[];
}

/**
 * An OTLP span in the decoders' shape.
 *
 * @example
 * const root = otlpSpan({ trace: 1, span: 1, name: 'produce' });
 */
export function otlpSpan(init: SpanInit): OtlpSpan {
  const start = BASE_NANOS + BigInt(init.startMs ?? 0) * 1_000_000n;
  const end = start + BigInt(init.durationMs ?? 10) * 1_000_000n;
  return {
    traceId: traceIdOf(init.trace),
    spanId: spanIdOf(init.span),
    parentSpanId: init.parent === undefined ? '' : spanIdOf(init.parent),
    traceState: '',
    flags: 1,
    name: init.name ?? `span ${init.span}`,
    kind: init.kind ?? 1,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    attributes: init.attributes ?? [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: (init.links ?? []).map((link) => ({
      traceId: traceIdOf(link.trace),
      spanId: spanIdOf(link.span),
      traceState: '',
      attributes: [],
      droppedAttributesCount: 0,
      flags: 1,
    })),
    droppedLinksCount: 0,
    status: init.error === true ? { code: 2, message: 'failed' } : { code: 0, message: '' },
  };
}

/**
 * An export request of one resource (one service) and one scope.
 *
 * @example
 * store.add(exportOf('orders', [otlpSpan({ trace: 1, span: 1 })]));
 */
export function exportOf(
  service: string | undefined,
  spans: readonly OtlpSpan[],
): OtlpExportTraceServiceRequest {
  const attributes: OtlpKeyValue[] =
    service === undefined ? [] : [{ key: 'service.name', value: { stringValue: service } }];
  return {
    resourceSpans: [
      {
        resource: { attributes, droppedAttributesCount: 0 },
        scopeSpans: [
          {
            scope: { name: 'test', version: '1.0.0', attributes: [], droppedAttributesCount: 0 },
            spans,
            schemaUrl: '',
          },
        ],
        schemaUrl: '',
      },
    ],
  };
}
