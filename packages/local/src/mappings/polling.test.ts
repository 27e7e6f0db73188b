import { afterEach, describe, expect, it, vi } from 'vitest';

import { createBackoff, createHealth, describeError, sleep } from './polling.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('createBackoff', () => {
  it('doubles up to the maximum and starts again after a reset', () => {
    const backoff = createBackoff({ initialMs: 100, maxMs: 350 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([
      100, 200, 350, 350,
    ]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});

describe('createHealth', () => {
  it('logs the first failure of an outage and its recovery, once each', () => {
    const logger = { info: vi.fn(), warn: vi.fn() };
    const health = createHealth(logger, 'SQS orders -> consumer');
    health.ok();
    health.failed(new Error('connect ECONNREFUSED'));
    health.failed(new Error('connect ECONNREFUSED'));
    health.failed(new Error('socket hang up'));
    health.ok();
    health.ok();
    expect(logger.warn).toHaveBeenCalledOnce();
    expect(logger.warn.mock.calls[0]?.[0]).toContain(
      'SQS orders -> consumer: Error: connect ECONNREFUSED',
    );
    expect(logger.info).toHaveBeenCalledExactlyOnceWith('SQS orders -> consumer: recovered.');

    health.failed(new Error('again'));
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });
});

describe('sleep', () => {
  it('resolves when the time is up', async () => {
    vi.useFakeTimers();
    const slept = sleep(1_000, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(slept).resolves.toBeUndefined();
  });

  it('resolves at once when the signal aborts, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort();
    await expect(slept).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('describeError', () => {
  it('names errors and stringifies anything else', () => {
    expect(describeError(new TypeError('bad'))).toBe('TypeError: bad');
    expect(describeError('plain')).toBe('plain');
  });
});
