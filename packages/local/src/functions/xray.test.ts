import { TraceFlags } from '@opentelemetry/api';
import { formatXRayHeader } from 'tracebridge';
import { XRayIdGenerator } from 'tracebridge/setup';
import { describe, expect, it } from 'vitest';

import { passThroughTraceHeader } from './xray.js';

describe('XRayIdGenerator', () => {
  it('starts trace ids with the epoch seconds, as X-Ray requires', () => {
    const before = Math.floor(Date.now() / 1000);
    const traceId = new XRayIdGenerator().generateTraceId();
    const after = Math.floor(Date.now() / 1000);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const seconds = Number.parseInt(traceId.slice(0, 8), 16);
    expect(seconds).toBeGreaterThanOrEqual(before);
    expect(seconds).toBeLessThanOrEqual(after);
  });

  it('makes valid, distinct span ids', () => {
    const ids = new XRayIdGenerator();
    const spanIds = new Set(Array.from({ length: 100 }, () => ids.generateSpanId()));
    expect(spanIds.size).toBe(100);
    for (const spanId of spanIds) expect(spanId).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
  });
});

describe('trace headers', () => {
  const spanContext = {
    traceId: '5759e988bd862e3fe1be46a994272793',
    spanId: '53995c3f42cd8ad8',
    traceFlags: TraceFlags.SAMPLED,
  };

  it('formats a sampled span context as Lambda sets _X_AMZN_TRACE_ID', () => {
    expect(formatXRayHeader(spanContext)).toBe(
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    );
    expect(formatXRayHeader({ ...spanContext, traceFlags: TraceFlags.NONE })).toMatch(
      /;Sampled=0$/,
    );
  });

  it('gives a PassThrough invocation a Root only', () => {
    expect(passThroughTraceHeader(spanContext.traceId)).toBe(
      'Root=1-5759e988-bd862e3fe1be46a994272793',
    );
  });
});
