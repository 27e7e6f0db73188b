// Lambda inputs as the service delivers them: an SQS event and a context object.
import { randomBytes } from 'node:crypto';

// The function's and queue's names in every ARN below.
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const QUEUE = 'orders';
const FUNCTION = 'orders-consumer';

function hex(bytes) {
  return randomBytes(bytes).toString('hex');
}

/** One SQS record as Lambda's event source mapping writes it, carrying a W3C traceparent. */
export function sqsRecord(index) {
  const body = JSON.stringify({
    id: `order-${index}`,
    customer: 'customer-1',
    items: [{ sku: 'sku-42', quantity: 2 }],
    totalCents: 4998,
  });
  const now = String(Date.now());
  return {
    messageId: `${hex(4)}-${hex(2)}-${hex(2)}-${hex(2)}-${hex(6)}`,
    receiptHandle: `AQEB${hex(32)}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {
      traceparent: {
        stringValue: `00-${hex(16)}-${hex(8)}-01`,
        stringListValues: [],
        binaryListValues: [],
        dataType: 'String',
      },
    },
    md5OfBody: hex(16),
    md5OfMessageAttributes: hex(16),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:${QUEUE}`,
    awsRegion: REGION,
  };
}

/**
 * An SQS event of `count` records, parsed from JSON as Lambda's runtime client parses every
 * event: its strings are flat, as a handler meets them, not the concatenations built above.
 */
export function sqsEvent(count) {
  const records = Array.from({ length: count }, (_, index) => sqsRecord(index));
  return JSON.parse(JSON.stringify({ Records: records }));
}

/** A Lambda context with 30 seconds left, as the runtime hands it to the handler. */
export function lambdaContext() {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: FUNCTION,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION}`,
    memoryLimitInMB: '256',
    awsRequestId: `${hex(4)}-${hex(2)}-${hex(2)}-${hex(2)}-${hex(6)}`,
    logGroupName: `/aws/lambda/${FUNCTION}`,
    logStreamName: `2026/01/01/[$LATEST]${hex(16)}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** The variables Lambda sets, plus the OTLP endpoint of the bench's loopback receiver. */
export function lambdaEnv(otlpEndpoint) {
  return {
    AWS_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    OTEL_SERVICE_NAME: FUNCTION,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
  };
}
