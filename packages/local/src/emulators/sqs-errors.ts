import { randomUUID } from 'node:crypto';

import { MAX_MESSAGE_ATTRIBUTES } from 'tracebridge';

import type { Reply } from './front.js';

/**
 * An SQS error: `code` is the JSON protocol's shape name, `queryCode` the legacy code the
 * `x-amzn-query-error` header carries. SDK v3 names the error it throws after the header,
 * so both must match what SQS sends for the same class of error to reach the caller.
 */
export interface SqsError {
  readonly code: string;
  readonly queryCode: string;
  readonly message: string;
}

/** One entry of a batch response's `Failed` list. */
export interface BatchFailure {
  readonly Id: string;
  readonly SenderFault: true;
  readonly Code: string;
  readonly Message: string;
}

/**
 * The error for a message with more than ten attributes, worded as SQS words it
 * ("Number of message attributes [11] exceeds the allowed maximum [10].", as reported
 * from real SQS in aws/aws-sdk-js#2876).
 *
 * @example
 * ```ts
 * tooManyAttributes(11).message; // 'Number of message attributes [11] exceeds the allowed maximum [10].'
 * ```
 */
export function tooManyAttributes(count: number): SqsError {
  return {
    code: 'InvalidParameterValue',
    queryCode: 'InvalidParameterValue',
    message: `Number of message attributes [${count}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
  };
}

/**
 * The error for a message over the size limit, worded as SQS words it (seen from real SQS
 * in inferablehq/inferable#306).
 *
 * @example
 * ```ts
 * messageTooLong(262_144).message; // '… Reason: Message must be shorter than 262144 bytes.'
 * ```
 */
export function messageTooLong(limit: number): SqsError {
  return {
    code: 'InvalidParameterValue',
    queryCode: 'InvalidParameterValue',
    message: `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`,
  };
}

/**
 * The error for a batch whose messages together exceed the size limit, worded as SQS words
 * it (seen from real SQS in awslabs/amazon-sqs-python-extended-client-lib#25).
 *
 * @example
 * ```ts
 * batchTooLong(262_144, 400_000).code; // 'BatchRequestTooLong'
 * ```
 */
export function batchTooLong(limit: number, size: number): SqsError {
  return {
    code: 'BatchRequestTooLong',
    queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong',
    message: `Batch requests cannot be longer than ${limit} bytes. You have sent ${size} bytes.`,
  };
}

/**
 * An error response in the shape "Interpreting Amazon SQS JSON API responses" documents:
 * status 400, `x-amzn-query-error: <code>;Sender`, body `{"__type", "message"}`.
 *
 * @example
 * ```ts
 * return sqsErrorReply(tooManyAttributes(11));
 * ```
 */
export function sqsErrorReply(error: SqsError): Reply {
  return sqsJsonReply(
    400,
    { __type: `com.amazonaws.sqs#${error.code}`, message: error.message },
    { 'x-amzn-query-error': `${error.queryCode};Sender` },
  );
}

/**
 * A batch entry failure carrying an SQS error.
 *
 * @example
 * ```ts
 * failed.push(batchFailure('entry-3', tooManyAttributes(11)));
 * ```
 */
export function batchFailure(id: string, error: SqsError): BatchFailure {
  return { Id: id, SenderFault: true, Code: error.code, Message: error.message };
}

/**
 * A JSON protocol response made by the front.
 *
 * @example
 * ```ts
 * return sqsJsonReply(200, { Successful: [], Failed: failed });
 * ```
 */
export function sqsJsonReply(
  status: number,
  value: unknown,
  headers: Readonly<Record<string, string>> = {},
): Reply {
  return {
    status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      ...headers,
    },
    body: Buffer.from(JSON.stringify(value)),
  };
}
