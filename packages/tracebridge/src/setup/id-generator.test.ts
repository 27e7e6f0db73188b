import { isValidSpanId, isValidTraceId } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { XRayIdGenerator } from './id-generator.js';

describe('XRayIdGenerator', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts trace ids with the epoch seconds in 8 hex digits', () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T12:00:00.750Z') });
    const seconds = Math.floor(Date.parse('2026-03-01T12:00:00Z') / 1000);

    const traceId = new XRayIdGenerator().generateTraceId();

    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(Number.parseInt(traceId.slice(0, 8), 16)).toBe(seconds);
    expect(isValidTraceId(traceId)).toBe(true);
  });

  it('makes valid, distinct ids', () => {
    const generator = new XRayIdGenerator();
    const traceIds = new Set(Array.from({ length: 1000 }, () => generator.generateTraceId()));
    const spanIds = new Set(Array.from({ length: 1000 }, () => generator.generateSpanId()));

    expect(traceIds.size).toBe(1000);
    expect(spanIds.size).toBe(1000);
    for (const spanId of spanIds) expect(isValidSpanId(spanId)).toBe(true);
  });

  it('never returns the all-zero span id', () => {
    const random = vi.spyOn(Math, 'random').mockReturnValueOnce(0).mockReturnValueOnce(0);

    expect(new XRayIdGenerator().generateSpanId()).not.toBe('0000000000000000');
    random.mockRestore();
  });
});
