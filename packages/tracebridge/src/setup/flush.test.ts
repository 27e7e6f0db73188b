import { trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_FLUSH_TIMEOUT_MS,
  flushProvider,
  flushTimeout,
  flushTracing,
  registeredProvider,
  withinDeadline,
} from './flush.js';
import { resetTracing } from './test-support/reset.js';

describe('withinDeadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves with a timed-out result when the work hangs', async () => {
    vi.useFakeTimers();
    const pending = withinDeadline(() => new Promise(() => {}), 250);

    await vi.advanceTimersByTimeAsync(250);

    await expect(pending).resolves.toMatchObject({ ok: false, timedOut: true });
  });

  it('turns a rejection, even a thrown array, into a failed result', async () => {
    const single = await withinDeadline(() => Promise.reject(new Error('down')), 1000);
    const several = await withinDeadline(
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the SDK's TracerProvider does this
      () => Promise.reject([new Error('one'), new Error('two')]),
      1000,
    );
    const thrown = await withinDeadline(() => {
      throw new Error('sync');
    }, 1000);

    expect(single).toMatchObject({ ok: false, timedOut: false, error: { message: 'down' } });
    expect(several.error).toBeInstanceOf(AggregateError);
    expect(several.error?.message).toBe('one; two');
    expect(thrown.error?.message).toBe('sync');
  });
});

describe('flushTimeout', () => {
  it('defaults, clamps at zero and at the largest timer delay', () => {
    expect(flushTimeout(undefined)).toBe(DEFAULT_FLUSH_TIMEOUT_MS);
    expect(flushTimeout(Number.NaN)).toBe(DEFAULT_FLUSH_TIMEOUT_MS);
    expect(flushTimeout(-200)).toBe(0);
    expect(flushTimeout(Infinity)).toBe(2 ** 31 - 1);
    expect(flushTimeout(1500)).toBe(1500);
  });
});

describe('registeredProvider and flushTracing without initTracing', () => {
  afterEach(resetTracing);

  it('find nothing to flush when no provider is registered', async () => {
    expect(registeredProvider()).toBeUndefined();
    await expect(flushTracing(100)).resolves.toEqual({ ok: true, timedOut: false });
  });

  it("flush the application's own registered provider", async () => {
    const provider = new BasicTracerProvider();
    const forceFlush = vi.spyOn(provider, 'forceFlush');
    trace.setGlobalTracerProvider(provider);

    expect(registeredProvider()).toBe(provider);
    await expect(flushTracing(100)).resolves.toEqual({ ok: true, timedOut: false });
    expect(forceFlush).toHaveBeenCalledOnce();
  });

  it('report a provider that cannot flush as flushed, and a failing one as failed', async () => {
    await expect(flushProvider({ getTracer: () => trace.getTracer('x') })).resolves.toEqual({
      ok: true,
      timedOut: false,
    });
    const failing = new BasicTracerProvider();
    vi.spyOn(failing, 'forceFlush').mockRejectedValue([new Error('collector down')]);

    await expect(flushProvider(failing, 100)).resolves.toMatchObject({
      ok: false,
      error: { message: 'collector down' },
    });
  });
});
