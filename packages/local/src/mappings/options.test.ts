import { describe, expect, it } from 'vitest';

import { MappingConfigError } from './errors.js';
import { resolvePolling } from './options.js';

describe('resolvePolling', () => {
  it("defaults to Lambda's timing, with shortened SNS retry waits", () => {
    expect(resolvePolling()).toEqual({
      sqsWaitTimeSeconds: 20,
      kinesisPollIntervalMs: 1_000,
      backoff: { initialMs: 100, maxMs: 5_000 },
      snsRetryDelaysSeconds: [1, 2],
    });
  });

  it.each([
    ['a long poll of 0 s', { sqsWaitTimeSeconds: 0 }],
    ['a long poll over 20 s', { sqsWaitTimeSeconds: 21 }],
    ['a negative poll interval', { kinesisPollIntervalMs: -1 }],
    ['a backoff that shrinks', { backoff: { initialMs: 500, maxMs: 100 } }],
    ['three SNS retries', { snsRetryDelaysSeconds: [1, 1, 1] }],
    ['a fractional SNS retry delay', { snsRetryDelaysSeconds: [0.5] }],
  ])('refuses %s', (_name, options) => {
    expect(() => resolvePolling(options)).toThrow(MappingConfigError);
  });
});
