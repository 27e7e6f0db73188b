import { describe, expect, it } from 'vitest';

import { triggerQueueName } from './sns.js';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:alerts';
const SQS_QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/; // CreateQueue's rule for a standard queue

describe('triggerQueueName', () => {
  it('names the function, and keeps within SQS queue names', () => {
    const name = triggerQueueName('Notifier', TOPIC);
    expect(name).toMatch(/^tracebridge-sns-Notifier-[0-9a-f]{12}$/);
    expect(triggerQueueName('x'.repeat(200) + '.$', TOPIC)).toMatch(SQS_QUEUE_NAME);
  });

  it('differs for another topic or function, and is stable', () => {
    const name = triggerQueueName('Notifier', TOPIC);
    expect(triggerQueueName('Notifier', TOPIC)).toBe(name);
    expect(triggerQueueName('Notifier', `${TOPIC}-2`)).not.toBe(name);
    expect(triggerQueueName('Auditor', TOPIC)).not.toBe(name);
  });
});
