import { AsyncLocalStorage } from 'node:async_hooks';
import { type Context, type ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';

/**
 * The active context kept in an `AsyncLocalStorage`, as the SDK's
 * `AsyncLocalStorageContextManager` does. tracebridge carries its own because the official
 * one ships only as CommonJS together with the older async-hooks manager and EventEmitter
 * patching, about 4 KB of a Lambda bundle, none of which tree-shakes away. The one
 * difference: `bind` on an EventEmitter returns it unchanged, since listeners already run
 * in the context the emitter's async resource was created in.
 *
 * @example
 * ```ts
 * import { context } from '@opentelemetry/api';
 * import { AsyncLocalStorageContextManager } from 'tracebridge/setup';
 *
 * context.setGlobalContextManager(new AsyncLocalStorageContextManager());
 * ```
 */
export class AsyncLocalStorageContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const callback = thisArg == null ? fn : fn.bind(thisArg);
    return this.#storage.run(context, callback, ...args);
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const fn = target as (...args: unknown[]) => unknown;
    const run = (thisArg: unknown, args: unknown[]): unknown =>
      this.#storage.run(context, () => fn.apply(thisArg, args));
    const bound = function (this: unknown, ...args: unknown[]) {
      return run(this, args);
    };
    // Frameworks read a callback's arity (Express tells error handlers by four parameters).
    Object.defineProperty(bound, 'length', { value: fn.length });
    return bound as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.#storage.disable();
    return this;
  }
}
