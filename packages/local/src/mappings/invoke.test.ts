import { describe, expect, it } from 'vitest';

import type { FunctionInvoker, InvocationResult } from '../model.js';
import { describeFailure, invokeUntilStopped } from './invoke.js';

const ok: InvocationResult = { status: 'ok', payload: { done: true }, durationMs: 3 };

describe('invokeUntilStopped', () => {
  it('returns the invocation result', async () => {
    const invoker: FunctionInvoker = { invoke: () => Promise.resolve(ok) };
    await expect(
      invokeUntilStopped(invoker, 'fn', {}, new AbortController().signal),
    ).resolves.toEqual(ok);
  });

  it('turns an invoker that rejects into a crashed invocation', async () => {
    const invoker: FunctionInvoker = {
      invoke: () => Promise.reject(new Error('no such function')),
    };
    const result = await invokeUntilStopped(invoker, 'fn', {}, new AbortController().signal);
    expect(result).toMatchObject({
      status: 'crashed',
      errorType: 'InvokerError',
      errorMessage: expect.stringContaining('no such function') as unknown,
    });
  });

  it('stops waiting when the signal aborts', async () => {
    const invoker: FunctionInvoker = {
      invoke: () => new Promise<InvocationResult>(() => undefined),
    };
    const controller = new AbortController();
    const result = invokeUntilStopped(invoker, 'fn', {}, controller.signal);
    controller.abort();
    await expect(result).resolves.toBeUndefined();
  });

  it('does not invoke once stopped', async () => {
    let calls = 0;
    const invoker: FunctionInvoker = {
      invoke: () => {
        calls += 1;
        return Promise.resolve(ok);
      },
    };
    await expect(
      invokeUntilStopped(invoker, 'fn', {}, AbortSignal.abort()),
    ).resolves.toBeUndefined();
    expect(calls).toBe(0);
  });
});

describe('describeFailure', () => {
  it('says how and why an invocation failed', () => {
    expect(
      describeFailure({
        status: 'timeout',
        errorType: 'Sandbox.Timedout',
        errorMessage: 'after 3 s',
        durationMs: 3_000,
      }),
    ).toBe('timeout: Sandbox.Timedout: after 3 s');
  });
});
