import { afterEach, describe, expect, it, vi } from 'vitest';
import { monotonicMs, scheduleDeadline } from './deadlines.js';

/** Timers that keep this process alive (unref'd ones are not listed). */
const keepingAlive = (): number =>
  process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

describe('scheduleDeadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls back once the delay has passed, in the order the deadlines fall', async () => {
    const called: string[] = [];
    const started = monotonicMs();
    scheduleDeadline(60, () => called.push('late'));
    scheduleDeadline(20, () => called.push('early'));

    await vi.waitFor(
      () => {
        expect(called).toEqual(['early', 'late']);
      },
      { timeout: 2_000, interval: 5 },
    );
    expect(monotonicMs() - started).toBeGreaterThanOrEqual(59);
  });

  it('never calls back a cancelled deadline, and cancelling twice or late does nothing', async () => {
    const onDeadline = vi.fn();
    const cancel = scheduleDeadline(10, onDeadline);
    cancel();
    cancel();
    const fired = vi.fn();
    const cancelFired = scheduleDeadline(15, fired);

    await sleep(40);

    expect(onDeadline).not.toHaveBeenCalled();
    expect(fired).toHaveBeenCalledOnce();
    cancelFired();
  });

  it('keeps the process alive only while a deadline that asks for it is pending', () => {
    const before = keepingAlive();
    const cancelQuiet = scheduleDeadline(5_000, () => {});
    expect(keepingAlive()).toBe(before);

    const cancelKept = scheduleDeadline(10_000, () => {}, true);
    expect(keepingAlive()).toBe(before + 1);

    cancelKept();
    expect(keepingAlive()).toBe(before);
    cancelQuiet();
  });

  it('still fires with real timers after a test armed it on a fake clock and left', async () => {
    vi.useFakeTimers();
    const neverAdvanced = vi.fn();
    scheduleDeadline(1_000, neverAdvanced);
    vi.useRealTimers();

    const onDeadline = vi.fn();
    scheduleDeadline(10, onDeadline);

    await vi.waitFor(
      () => {
        expect(onDeadline).toHaveBeenCalledOnce();
      },
      { timeout: 2_000, interval: 5 },
    );
  });
});
