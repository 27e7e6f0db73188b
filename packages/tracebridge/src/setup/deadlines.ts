// Deadlines served by one Node.js timer. Every invocation armed and cleared timers of its own
// (the timeout guard, the flush's deadline, the export's and the request's time limits), each
// with a delay of its own; Node keeps a list per distinct delay and creates it, queues it and
// (for a timer that keeps the process alive) deletes it again each time, and toggles the event
// loop's reference count twice per such timer. Here a deadline is an entry in a set, and the one
// timer is armed for the earliest; a later deadline (the next invocation's) leaves it alone, and
// cancelling one only drops its entry, so a run of invocations that end in time touches the timer
// about once per timeout period. Measured: about 0.8 µs less per message in batches of 10 over a
// function's first invocations (9.46-9.94 against 10.18-10.79 µs, three sets of 10 interleaved runs
// of bench/child/consumer-cost.mjs, 2026-11-24), the same first flush and cold start.

/** setTimeout's largest delay; beyond it Node fires at once (Node.js timers documentation). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

interface Deadline {
  readonly at: number;
  readonly onDeadline: () => void;
  readonly keepAlive: boolean;
}

/** Cancels a deadline that has not passed; does nothing once it has. */
export type CancelDeadline = () => void;

// A deadline this close is taken as passed: libuv fires on its millisecond clock, which may read
// a little earlier than the monotonic clock deadlines are kept on.
const DUE_WITHIN_MS = 1;

const pending = new Set<Deadline>();
let timer: NodeJS.Timeout | undefined;
let armedAt = Number.POSITIVE_INFINITY;
let keptAlive = 0;

/**
 * The monotonic clock in milliseconds. `process.hrtime()` rather than `performance.now()`: the
 * first access to the `performance` global loads `node:perf_hooks`, 0.5 ms of a cold start
 * (measured on Node 20 after `node:http` was loaded), and later calls cost the same.
 *
 * @example
 * const started = monotonicMs();
 * await work();
 * console.log(`took ${monotonicMs() - started} ms`);
 */
export function monotonicMs(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1_000 + nanos / 1_000_000;
}

/**
 * Calls `onDeadline` once `delayMs` have passed, unless the returned function is called first.
 * The shared timer does not keep the process alive unless some pending deadline asks it to
 * (`keepAlive`), as a flush that waits for its deadline must.
 *
 * @example
 * const cancel = scheduleDeadline(2_000, () => console.warn('still running'));
 * await work();
 * cancel();
 */
export function scheduleDeadline(
  delayMs: number,
  onDeadline: () => void,
  keepAlive = false,
): CancelDeadline {
  const now = monotonicMs();
  const deadline: Deadline = { at: now + delayMs, onDeadline, keepAlive };
  pending.add(deadline);
  if (keepAlive && keptAlive++ === 0) timer?.ref();
  // A timer whose time has passed without firing is overdue behind a blocked event loop, or lost
  // with the fake clock of a test that armed it (vi.useFakeTimers); either way, arm again.
  if (deadline.at < armedAt || armedAt <= now) arm(Math.min(deadline.at, armedAt));
  return () => {
    if (pending.delete(deadline)) release(deadline);
  };
}

function release(deadline: Deadline): void {
  if (deadline.keepAlive && --keptAlive === 0) timer?.unref();
}

function arm(at: number): void {
  clearTimeout(timer);
  armedAt = at;
  timer = setTimeout(onTimer, Math.min(Math.max(at - monotonicMs(), 0), MAX_TIMER_MS));
  if (keptAlive === 0) timer.unref();
}

function onTimer(): void {
  timer = undefined;
  armedAt = Number.POSITIVE_INFINITY;
  const now = monotonicMs();
  const due: Deadline[] = [];
  let next = Number.POSITIVE_INFINITY;
  for (const deadline of pending) {
    if (deadline.at <= now + DUE_WITHIN_MS) due.push(deadline);
    else next = Math.min(next, deadline.at);
  }
  for (const deadline of due) {
    pending.delete(deadline);
    release(deadline);
  }
  if (next !== Number.POSITIVE_INFINITY) arm(next);
  for (const deadline of due) deadline.onDeadline();
}
