import { createHash } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  GetQueueAttributesCommand,
  SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatXRayHeader } from '../propagation/xray.js';
import { startRecordingEndpoint, type RecordingEndpoint } from '../test-support/aws-endpoint.js';
import { setUpTestTracing } from '../test-support/tracing.js';
import { tracePropagation } from './middleware.js';

const tracing = setUpTestTracing();
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

let endpoint: RecordingEndpoint;

function answer(target: string, body: Record<string, unknown>) {
  const entries = (body.Entries ?? body.Records ?? []) as Record<string, unknown>[];
  switch (target) {
    case 'AmazonSQS.SendMessage':
      if (String(body.QueueUrl).endsWith('/missing')) {
        return {
          status: 400,
          headers: { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' },
          body: {
            __type: 'com.amazonaws.sqs#QueueDoesNotExist',
            message: 'The specified queue does not exist.',
          },
        };
      }
      return { body: { MessageId: 'message-1', MD5OfMessageBody: md5(String(body.MessageBody)) } };
    case 'AmazonSQS.SendMessageBatch':
      return {
        body: {
          Successful: entries
            .filter((entry) => entry.Id !== 'poison')
            .map((entry) => ({
              Id: entry.Id,
              MessageId: `message-${String(entry.Id)}`,
              MD5OfMessageBody: md5(String(entry.MessageBody)),
            })),
          Failed: entries
            .filter((entry) => entry.Id === 'poison')
            .map((entry) => ({
              Id: entry.Id,
              Code: 'InvalidParameterValue',
              Message: 'bad',
              SenderFault: true,
            })),
        },
      };
    case 'Kinesis_20131202.PutRecord':
      return { body: { SequenceNumber: '4960001', ShardId: 'shardId-000000000001' } };
    case 'Kinesis_20131202.PutRecords':
      return {
        body: {
          FailedRecordCount: 0,
          Records: entries.map((_, index) => ({
            SequenceNumber: `49600${index}`,
            ShardId: 'shardId-000000000000',
          })),
        },
      };
    case 'AWSEvents.PutEvents':
      return {
        body: {
          FailedEntryCount: 0,
          Entries: entries.map((_, index) => ({ EventId: `event-${index}` })),
        },
      };
    default:
      return { body: { Attributes: {} } };
  }
}

beforeAll(async () => {
  endpoint = await startRecordingEndpoint(answer);
});
afterEach(() => {
  tracing.reset();
  endpoint.requests.length = 0;
});
afterAll(async () => {
  await endpoint.close();
  await tracing.shutdown();
});

const clientConfig = () => ({
  endpoint: endpoint.endpoint,
  region: 'us-east-1',
  credentials,
  requestHandler: new NodeHttpHandler(),
});
const queueUrl = (name: string) => `${endpoint.endpoint}/000000000000/${name}`;

function tracedSqs(options: Parameters<typeof tracePropagation>[0] = {}) {
  const client = new SQSClient(clientConfig());
  client.middlewareStack.use(tracePropagation({ tracerProvider: tracing.provider, ...options }));
  return client;
}

function inSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  const tracer: Tracer = tracing.provider.getTracer('test');
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await work();
    } finally {
      span.end();
    }
  });
}

type Attribute = { DataType: string; StringValue: string };
const lastBody = () => endpoint.requests.at(-1)!.body;

describe('tracePropagation with SQSClient', () => {
  it('wraps SendMessage in a PRODUCER span and injects that span into the message', async () => {
    await inSpan('checkout', () =>
      tracedSqs().send(
        new SendMessageCommand({ QueueUrl: queueUrl('orders'), MessageBody: '{"id":1}' }),
      ),
    );
    const send = tracing.spanNamed('send orders');
    const checkout = tracing.spanNamed('checkout');
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.parentSpanContext?.spanId).toBe(checkout.spanContext().spanId);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'aws_sqs',
      'messaging.destination.name': 'orders',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'SendMessage',
      'messaging.message.id': 'message-1',
      'rpc.service': 'SQS',
      'aws.request_id': 'request-1',
    });
    const { traceId, spanId } = send.spanContext();
    const attributes = lastBody().MessageAttributes as Record<string, Attribute>;
    expect(attributes.traceparent).toEqual({
      DataType: 'String',
      StringValue: `00-${traceId}-${spanId}-01`,
    });
    const system = lastBody().MessageSystemAttributes as Record<string, Attribute>;
    expect(system.AWSTraceHeader?.StringValue).toBe(formatXRayHeader(send.spanContext()));
    expect(lastBody().MessageBody).toBe('{"id":1}');
  });

  it("sets X-Amzn-Trace-Id to the send span, winning over the Lambda function's own trace header", async () => {
    const lambdaHeader =
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'producer';
    process.env._X_AMZN_TRACE_ID = lambdaHeader;
    try {
      await tracedSqs().send(
        new SendMessageCommand({ QueueUrl: queueUrl('orders'), MessageBody: 'x' }),
      );
    } finally {
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      delete process.env._X_AMZN_TRACE_ID;
    }
    const send = tracing.spanNamed('send orders');
    expect(endpoint.requests.at(-1)!.headers['x-amzn-trace-id']).toBe(
      formatXRayHeader(send.spanContext()),
    );
  });

  it('gives each entry of a batch its own create span and context, and marks failed entries', async () => {
    const entries = ['a', 'poison', 'c'].map((id) => ({ Id: id, MessageBody: `body-${id}` }));
    await tracedSqs().send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl('orders'), Entries: entries }),
    );
    const send = tracing.spanNamed('send orders');
    const creates = tracing.spans().filter((span) => span.name === 'create orders');
    expect(creates).toHaveLength(3);
    expect(send.attributes['messaging.batch.message_count']).toBe(3);
    expect(send.status).toEqual({ code: SpanStatusCode.ERROR, message: '1 of 3 entries failed' });
    const sent = lastBody().Entries as { MessageAttributes: Record<string, Attribute> }[];
    sent.forEach((entry, index) => {
      const create = creates[index]!;
      expect(create.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
      expect(create.attributes['messaging.operation.type']).toBe('create');
      const { traceId, spanId } = create.spanContext();
      expect(entry.MessageAttributes.traceparent?.StringValue).toBe(`00-${traceId}-${spanId}-01`);
    });
    expect(creates[0]!.attributes['messaging.message.id']).toBe('message-a');
    expect(creates[1]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(creates[1]!.status.message).toContain('InvalidParameterValue');
  });

  it("keeps the caller's own attributes and never mutates the caller's input", async () => {
    const input = Object.freeze({
      QueueUrl: queueUrl('orders'),
      MessageBody: 'x',
      MessageAttributes: Object.freeze({
        traceparent: Object.freeze({
          DataType: 'String',
          StringValue: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        }),
      }),
    });
    await tracedSqs().send(new SendMessageCommand(input));
    const attributes = lastBody().MessageAttributes as Record<string, Attribute>;
    expect(attributes.traceparent?.StringValue).toBe(
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    );
    expect(Object.keys(attributes)).toEqual(['traceparent']);
  });

  it('records an SDK error on the span and re-throws the same error', async () => {
    const error = await tracedSqs()
      .send(new SendMessageCommand({ QueueUrl: queueUrl('missing'), MessageBody: 'x' }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('QueueDoesNotExist');
    const send = tracing.spanNamed('send missing');
    expect(send.status.code).toBe(SpanStatusCode.ERROR);
    expect(send.events.map((event) => event.name)).toContain('exception');
  });

  it('leaves operations that send nothing untraced', async () => {
    await tracedSqs().send(new GetQueueAttributesCommand({ QueueUrl: queueUrl('orders') }));
    expect(tracing.spans()).toHaveLength(0);
  });

  it('sends the call untraced, with one warning, when tracing itself fails', async () => {
    const brokenTracer = {
      startSpan: () => {
        throw new Error('tracer exploded');
      },
    } as unknown as Tracer;
    const brokenProvider: TracerProvider = { getTracer: () => brokenTracer };
    const client = new SQSClient(clientConfig());
    client.middlewareStack.use(tracePropagation({ tracerProvider: brokenProvider }));
    const result = await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl('orders'), MessageBody: 'x' }),
    );
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl('orders'), MessageBody: 'y' }));
    expect(result.MessageId).toBe('message-1');
    expect(lastBody().MessageAttributes).toBeUndefined();
    expect(tracing.warnings.filter((warning) => warning.includes('tracer exploded'))).toHaveLength(
      1,
    );
  });

  it('injects nothing when there is no recording context and the provider is a no-op', async () => {
    const client = new SQSClient(clientConfig());
    client.middlewareStack.use(tracePropagation({ tracerProvider: trace.getTracerProvider() }));
    await context.with(context.active(), () =>
      client.send(new SendMessageCommand({ QueueUrl: queueUrl('orders'), MessageBody: 'x' })),
    );
    expect(lastBody().MessageAttributes).toBeUndefined();
  });
});

describe('tracePropagation with KinesisClient', () => {
  const kinesis = () => {
    const client = new KinesisClient(clientConfig());
    client.middlewareStack.use(
      tracePropagation({ tracerProvider: tracing.provider, binaryEnvelope: true }),
    );
    return client;
  };
  const sentData = (record: unknown) => Buffer.from((record as { Data: string }).Data, 'base64');

  it('inserts _otel textually into JSON data and records the shard and sequence number', async () => {
    const data = Buffer.from('{"amount": 12345678901234567890}');
    await kinesis().send(
      new PutRecordCommand({ StreamName: 'payments', PartitionKey: 'p', Data: data }),
    );
    const send = tracing.spanNamed('send payments');
    const { traceId, spanId } = send.spanContext();
    expect(sentData(lastBody()).toString()).toBe(
      `{"_otel":{"traceparent":"00-${traceId}-${spanId}-01"},"amount": 12345678901234567890}`,
    );
    expect(send.attributes).toMatchObject({
      'messaging.system': 'aws.kinesis',
      'messaging.message.id': '4960001',
      'messaging.destination.partition.id': 'shardId-000000000001',
    });
  });

  it('gives each PutRecords entry its own context and wraps binary data when asked to', async () => {
    const Records = [
      { PartitionKey: 'a', Data: Buffer.from('{"n":1}') },
      { PartitionKey: 'b', Data: Uint8Array.of(0xff, 0x00, 0x01) },
    ];
    await kinesis().send(
      new PutRecordsCommand({
        StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/payments',
        Records,
      }),
    );
    const creates = tracing.spans().filter((span) => span.name === 'create payments');
    const sent = (lastBody().Records as unknown[]).map(sentData);
    expect(sent[0]!.toString()).toContain(creates[0]!.spanContext().spanId);
    expect(sent[1]!.subarray(0, 5)).toEqual(Buffer.from('\0otel'));
    expect(sent[1]!.toString('latin1')).toContain(creates[1]!.spanContext().spanId);
  });
});

describe('tracePropagation with EventBridgeClient', () => {
  it('inserts _otel into Detail and sets TraceHeader per entry', async () => {
    const client = new EventBridgeClient(clientConfig());
    client.middlewareStack.use(tracePropagation({ tracerProvider: tracing.provider }));
    await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'shop',
            DetailType: 'OrderPlaced',
            Detail: '{"order":1}',
            EventBusName: 'orders-bus',
          },
          {
            Source: 'shop',
            DetailType: 'OrderPlaced',
            Detail: '{"order":2}',
            EventBusName: 'orders-bus',
          },
        ],
      }),
    );
    const creates = tracing.spans().filter((span) => span.name === 'create orders-bus');
    const entries = lastBody().Entries as { Detail: string; TraceHeader: string }[];
    entries.forEach((entry, index) => {
      const create = creates[index]!;
      expect(entry.TraceHeader).toBe(formatXRayHeader(create.spanContext()));
      expect(entry.Detail).toMatch(
        new RegExp(
          `^\\{"_otel":\\{"traceparent":"00-\\w+-${create.spanContext().spanId}-01"\\},"order":${index + 1}\\}$`,
        ),
      );
      expect(create.attributes['messaging.message.id']).toBe(`event-${index}`);
    });
    expect(tracing.spanNamed('send orders-bus').attributes['messaging.system']).toBe(
      'aws.eventbridge',
    );
  });
});
