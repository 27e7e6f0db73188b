import { describe, expect, it } from 'vitest';

import { jsonBytes, MAX_SYNC_PAYLOAD_BYTES, takeWithinPayload } from './limits.js';

describe('takeWithinPayload', () => {
  it('takes everything that fits', () => {
    expect(takeWithinPayload([1, 2, 3], () => 10)).toEqual({ taken: [1, 2, 3], rest: [] });
  });

  it('stops before the record that would exceed the limit, counting the event around them', () => {
    // 14 bytes of envelope + 40 + 1 + 40 = 95 fits in 100; a third record would not.
    expect(takeWithinPayload(['a', 'b', 'c'], () => 40, 100)).toEqual({
      taken: ['a', 'b'],
      rest: ['c'],
    });
  });

  it('always takes the first record', () => {
    expect(takeWithinPayload(['big', 'next'], () => MAX_SYNC_PAYLOAD_BYTES + 1)).toEqual({
      taken: ['big'],
      rest: ['next'],
    });
  });
});

describe('jsonBytes', () => {
  it('counts UTF-8 bytes of the JSON text', () => {
    expect(jsonBytes({ body: 'é' })).toBe(13);
  });
});
