import { describe, expect, it } from 'vitest';

import { parseRuntimeMessage } from './protocol.js';

describe('parseRuntimeMessage', () => {
  const error = { errorType: 'Error', errorMessage: 'boom', trace: ['Error: boom', 42] };

  it('reads every message the runtime sends', () => {
    expect(parseRuntimeMessage({ type: 'ready' })).toEqual({ type: 'ready' });
    expect(parseRuntimeMessage({ type: 'response', requestId: 'r', payload: 'null' })).toEqual({
      type: 'response',
      requestId: 'r',
      payload: 'null',
    });
    expect(parseRuntimeMessage({ type: 'error', requestId: 'r', error })).toEqual({
      type: 'error',
      requestId: 'r',
      error: { errorType: 'Error', errorMessage: 'boom', trace: ['Error: boom'] },
    });
    expect(parseRuntimeMessage({ type: 'crash', error: { ...error, trace: undefined } })).toEqual({
      type: 'crash',
      error: { errorType: 'Error', errorMessage: 'boom', trace: [] },
    });
  });

  it.each([
    null,
    'ready',
    [],
    { type: 'invoke' },
    { type: 'response', requestId: 'r' },
    { type: 'error', requestId: 'r', error: { errorType: 'Error' } },
    { type: 'init-error' },
  ])('ignores %j, which the runtime never sends', (value) => {
    expect(parseRuntimeMessage(value)).toBeUndefined();
  });
});
