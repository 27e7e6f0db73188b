import type { SNSEvent, SNSEventRecord, SNSMessage, SNSMessageAttribute } from 'aws-lambda';

import { isRecord, parseJson } from '../json.js';

/**
 * The `Sns` member of a Lambda SNS record. Lambda writes `"Subject": null` when the
 * publisher gave no subject, which `@types/aws-lambda` does not allow for.
 */
export type LambdaSnsMessage = Omit<SNSMessage, 'Subject'> & { Subject: string | null };

/** An SNS event as Lambda delivers it. */
export interface LambdaSnsEvent extends Omit<SNSEvent, 'Records'> {
  Records: (Omit<SNSEventRecord, 'Sns'> & { Sns: LambdaSnsMessage })[];
}

const EVENT_VERSION = '1.0'; // the version Lambda writes into every SNS record

/**
 * Turns the JSON envelope SNS delivers to an SQS queue without raw delivery into the event
 * Lambda receives when it is subscribed to the topic itself: one record, the same fields,
 * but `SigningCertUrl` and `UnsubscribeUrl` spelled as Lambda spells them and the
 * subscription's ARN beside them. Source: "Invoking Lambda functions with Amazon SNS
 * notifications", example event, https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html.
 * Returns `undefined` for a body that is not an SNS notification envelope.
 *
 * @example
 * ```ts
 * const event = toSnsEvent(message.Body ?? '', subscriptionArn);
 * if (event !== undefined) await invoker.invoke('notify', event);
 * ```
 */
export function toSnsEvent(body: string, subscriptionArn: string): LambdaSnsEvent | undefined {
  const envelope = parseJson(body);
  if (!isRecord(envelope) || envelope.Type !== 'Notification') return undefined;
  const { MessageId, TopicArn, Message, Timestamp } = envelope;
  if (
    typeof MessageId !== 'string' ||
    typeof TopicArn !== 'string' ||
    typeof Message !== 'string' ||
    typeof Timestamp !== 'string'
  ) {
    return undefined;
  }
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: EVENT_VERSION,
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId,
          TopicArn,
          Subject: typeof envelope.Subject === 'string' ? envelope.Subject : null,
          Message,
          Timestamp,
          SignatureVersion: stringOr(envelope.SignatureVersion),
          Signature: stringOr(envelope.Signature),
          SigningCertUrl: stringOr(envelope.SigningCertURL),
          UnsubscribeUrl: stringOr(envelope.UnsubscribeURL),
          MessageAttributes: toMessageAttributes(envelope.MessageAttributes),
        },
      },
    ],
  };
}

function toMessageAttributes(value: unknown): Record<string, SNSMessageAttribute> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).flatMap(([name, attribute]): [string, SNSMessageAttribute][] => {
      if (!isRecord(attribute)) return [];
      const { Type, Value } = attribute;
      return typeof Type === 'string' && typeof Value === 'string' ? [[name, { Type, Value }]] : [];
    }),
  );
}

function stringOr(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
