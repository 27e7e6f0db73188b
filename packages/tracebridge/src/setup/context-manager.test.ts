import { setTimeout as sleep } from 'node:timers/promises';
import { EventEmitter } from 'node:events';
import { type ContextManager, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager as OfficialManager } from '@opentelemetry/context-async-hooks';
import { describe, expect, it } from 'vitest';
import { AsyncLocalStorageContextManager } from './context-manager.js';

const KEY = createContextKey('test');
const A = ROOT_CONTEXT.setValue(KEY, 'a');
const B = ROOT_CONTEXT.setValue(KEY, 'b');

describe.each([
  ['tracebridge', (): ContextManager => new AsyncLocalStorageContextManager()],
  ['official', (): ContextManager => new OfficialManager().enable()],
])('%s AsyncLocalStorage context manager', (_name, create) => {
  it('is the root context outside any with()', () => {
    expect(create().active()).toBe(ROOT_CONTEXT);
  });

  it('keeps the context across awaits, timers and nested with()', async () => {
    const manager = create();

    const seen = await manager.with(A, async () => {
      const before = manager.active().getValue(KEY);
      await sleep(1);
      const inner = manager.with(B, () => manager.active().getValue(KEY));
      const after = await new Promise((resolve) => {
        setTimeout(() => {
          resolve(manager.active().getValue(KEY));
        }, 1);
      });
      return [before, inner, after];
    });

    expect(seen).toEqual(['a', 'b', 'a']);
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('passes this and arguments through with()', () => {
    const manager = create();
    const self = { factor: 3 };

    const result = manager.with(
      A,
      function (this: typeof self, x: number) {
        return this.factor * x;
      },
      self,
      5,
    );

    expect(result).toBe(15);
  });

  it('binds functions to a context, keeping their arity', () => {
    const manager = create();
    const bound = manager.bind(
      A,
      (_error: unknown, _request: unknown, _response: unknown, _next: unknown) =>
        manager.active().getValue(KEY),
    );

    expect(manager.with(B, () => bound(0, 0, 0, 0))).toBe('a');
    expect(bound.length).toBe(4);
  });

  it('runs emitter listeners in the context the emit happens in', () => {
    const manager = create();
    const emitter = new EventEmitter();
    let seen: unknown;
    emitter.on('event', () => {
      seen = manager.active().getValue(KEY);
    });

    manager.with(B, () => emitter.emit('event'));

    expect(seen).toBe('b');
  });

  it('forgets the context once disabled', () => {
    const manager = create();

    manager.with(A, () => {
      manager.disable();
      expect(manager.active()).toBe(ROOT_CONTEXT);
    });
  });
});
