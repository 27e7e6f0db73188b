import { describe, expect, it } from 'vitest';

import { parseRedrivePolicy } from './queue-facts.js';

const DLQ = 'arn:aws:sqs:us-east-1:000000000000:orders-dlq';

describe('parseRedrivePolicy', () => {
  it('reads the count as a number or a string', () => {
    expect(
      parseRedrivePolicy(JSON.stringify({ deadLetterTargetArn: DLQ, maxReceiveCount: 3 })),
    ).toEqual({
      deadLetterTargetArn: DLQ,
      maxReceiveCount: 3,
    });
    expect(
      parseRedrivePolicy(JSON.stringify({ deadLetterTargetArn: DLQ, maxReceiveCount: '5' })),
    ).toEqual({
      deadLetterTargetArn: DLQ,
      maxReceiveCount: 5,
    });
  });

  it.each([
    ['no attribute', undefined],
    ['an empty attribute', ''],
    ['text that is not JSON', '{'],
    ['a policy without a target', JSON.stringify({ maxReceiveCount: 3 })],
    ['a count of 0', JSON.stringify({ deadLetterTargetArn: DLQ, maxReceiveCount: 0 })],
  ])('returns undefined for %s', (_name, text) => {
    expect(parseRedrivePolicy(text)).toBeUndefined();
  });
});
