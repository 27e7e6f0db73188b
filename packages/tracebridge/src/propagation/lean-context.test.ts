import {
  type Context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsyncLocalStorageContextManager } from '../setup/context-manager.js';
import { remoteSpanContext } from '../test-support/records.js';
import { EMPTY_CONTEXT } from './lean-context.js';

const SPAN = createContextKey('test span');
const BAGGAGE = createContextKey('test baggage');

describe('EMPTY_CONTEXT', () => {
  it('holds no value, as ROOT_CONTEXT', () => {
    expect(EMPTY_CONTEXT.getValue(SPAN)).toBeUndefined();
    expect(trace.getSpanContext(EMPTY_CONTEXT)).toBeUndefined();
    expect(propagation.getBaggage(EMPTY_CONTEXT)).toBeUndefined();
  });

  it('derives new contexts and never changes one it derived from', () => {
    const withSpan = EMPTY_CONTEXT.setValue(SPAN, 'a');
    const replaced = withSpan.setValue(SPAN, 'b');
    const both = replaced.setValue(BAGGAGE, 'c');
    const deleted = both.deleteValue(SPAN);
    expect(EMPTY_CONTEXT.getValue(SPAN)).toBeUndefined();
    expect(withSpan.getValue(SPAN)).toBe('a');
    expect(replaced.getValue(SPAN)).toBe('b');
    expect([both.getValue(SPAN), both.getValue(BAGGAGE)]).toEqual(['b', 'c']);
    expect([deleted.getValue(SPAN), deleted.getValue(BAGGAGE)]).toEqual([undefined, 'c']);
    expect(deleted.deleteValue(createContextKey('never set')).getValue(BAGGAGE)).toBe('c');
  });

  it('never takes a value that equals a key for that key', () => {
    const confusing = EMPTY_CONTEXT.setValue(BAGGAGE, SPAN).setValue(SPAN, 'span');
    expect(confusing.getValue(SPAN)).toBe('span');
    expect(confusing.setValue(SPAN, 'again').getValue(SPAN)).toBe('again');
    expect(confusing.getValue(BAGGAGE)).toBe(SPAN);
  });

  it('works with the helpers of the API and with the context manager', () => {
    const spanContext = remoteSpanContext();
    const parent = trace.setSpanContext(EMPTY_CONTEXT, spanContext);
    expect(trace.getSpanContext(parent)).toBe(spanContext);
    expect(trace.getSpanContext(trace.deleteSpan(parent))).toBeUndefined();
    const manager = new AsyncLocalStorageContextManager();
    const seen = manager.with(parent, () => trace.getSpanContext(manager.active()));
    expect(seen).toBe(spanContext);
  });

  it('answers every read as the API root context does after the same changes', () => {
    const keys = [SPAN, BAGGAGE, createContextKey('third')];
    const change = fc.record({
      key: fc.nat({ max: keys.length - 1 }),
      value: fc.option(fc.oneof(fc.string(), fc.constantFrom(...keys)), { nil: undefined }),
      deletes: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(change, { maxLength: 12 }), (changes) => {
        let lean: Context = EMPTY_CONTEXT;
        let reference: Context = ROOT_CONTEXT;
        for (const { key, value, deletes } of changes) {
          const name = keys[key] ?? SPAN;
          lean = deletes ? lean.deleteValue(name) : lean.setValue(name, value);
          reference = deletes ? reference.deleteValue(name) : reference.setValue(name, value);
        }
        for (const name of keys) expect(lean.getValue(name)).toBe(reference.getValue(name));
      }),
    );
  });
});
