import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

import { isRecord, parseJson } from '../json.js';

/** What the mappings read from a queue at start. */
export interface QueueFacts {
  readonly arn: string;
  /** The queue's redrive policy, which decides when SQS dead-letters a message. */
  readonly redrive:
    { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number } | undefined;
}

/**
 * Reads a queue's ARN and redrive policy from the emulator: the queue's own policy is what
 * moves messages to a dead-letter queue, whatever the template says.
 *
 * @example
 * ```ts
 * const { arn, redrive } = await readQueueFacts(sqs, queueUrl);
 * ```
 */
export async function readQueueFacts(sqs: SQSClient, queueUrl: string): Promise<QueueFacts> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['QueueArn', 'RedrivePolicy'],
    }),
  );
  const arn = output.Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`The queue ${queueUrl} has no QueueArn attribute.`);
  return { arn, redrive: parseRedrivePolicy(output.Attributes?.RedrivePolicy) };
}

/**
 * Parses a `RedrivePolicy` queue attribute (`{"deadLetterTargetArn": …, "maxReceiveCount": …}`,
 * the count as a number or a string); `undefined` when it is absent or unreadable.
 *
 * @example
 * ```ts
 * parseRedrivePolicy('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"3"}');
 * ```
 */
export function parseRedrivePolicy(text: string | undefined): QueueFacts['redrive'] {
  if (text === undefined || text === '') return undefined;
  const policy = parseJson(text);
  if (!isRecord(policy)) return undefined;
  const { deadLetterTargetArn, maxReceiveCount } = policy;
  const count = Number(maxReceiveCount);
  if (typeof deadLetterTargetArn !== 'string' || !Number.isInteger(count) || count < 1) {
    return undefined;
  }
  return { deadLetterTargetArn, maxReceiveCount: count };
}
