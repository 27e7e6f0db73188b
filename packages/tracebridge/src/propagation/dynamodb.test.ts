import type { AttributeValue } from 'aws-lambda';
import { propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { frozen } from '../test-support/guards.js';
import {
  contextWith,
  dynamoDbRecord,
  remoteSpanContext,
  traceparentOf,
} from '../test-support/records.js';
import { dynamoDbContextAttribute } from './dynamodb.js';
import { extractRecordContext, recordPayload } from './record.js';

const span = remoteSpanContext();
const context = contextWith(span, { traceState: 'vendor=1', baggage: { tenant: 'acme' } });
const item: Record<string, AttributeValue> = { Id: { N: '101' }, Message: { S: 'New item!' } };

describe('dynamoDbContextAttribute', () => {
  it('writes the text map as a DynamoDB map of strings', () => {
    expect(dynamoDbContextAttribute(context)).toEqual({
      M: {
        traceparent: { S: traceparentOf(span) },
        tracestate: { S: 'vendor=1' },
        baggage: { S: 'tenant=acme' },
      },
    });
  });

  it('answers undefined without a valid span', () => {
    expect(dynamoDbContextAttribute(ROOT_CONTEXT)).toBeUndefined();
  });
});

describe('reading DynamoDB Streams records', () => {
  const _otel = dynamoDbContextAttribute(context)!;

  it('reads the context from the new image and gives the image back without _otel', () => {
    const record = dynamoDbRecord({ dynamodb: { NewImage: { ...item, _otel } } });
    const extracted = extractRecordContext(record);
    expect(extracted).toMatchObject({
      carrier: 'dynamodb-image',
      format: 'w3c',
      recordSource: 'aws:dynamodb',
      spanContext: { traceId: span.traceId, spanId: span.spanId, isRemote: true },
    });
    expect(propagation.getBaggage(extracted.context)?.getEntry('tenant')?.value).toBe('acme');
    expect(JSON.parse(recordPayload(record).text)).toEqual(item);
  });

  it('reads the old image of a deletion', () => {
    const record = dynamoDbRecord({
      eventName: 'REMOVE',
      dynamodb: { NewImage: undefined, OldImage: { ...item, _otel } },
    });
    expect(extractRecordContext(record).spanContext?.spanId).toBe(span.spanId);
    expect(JSON.parse(recordPayload(record).text)).toEqual(item);
  });

  it('reads a context stored as a JSON string attribute', () => {
    const text = JSON.stringify({ traceparent: traceparentOf(span) });
    const record = dynamoDbRecord({ dynamodb: { NewImage: { ...item, _otel: { S: text } } } });
    expect(extractRecordContext(record).carrier).toBe('dynamodb-image');
    expect(JSON.parse(recordPayload(record).text)).toEqual(item);
  });

  it('starts a new trace for an image without _otel and keeps the image', () => {
    const record = dynamoDbRecord();
    expect(extractRecordContext(record)).toMatchObject({ carrier: 'none', context: ROOT_CONTEXT });
    expect(JSON.parse(recordPayload(record).text)).toEqual(record.dynamodb?.NewImage);
  });

  it('starts a new trace for a KEYS_ONLY stream record', () => {
    const record = dynamoDbRecord({
      dynamodb: { NewImage: undefined, StreamViewType: 'KEYS_ONLY' },
    });
    expect(extractRecordContext(record).carrier).toBe('none');
    expect(recordPayload(record).text).toBe('{}');
  });

  it.each<[string, AttributeValue]>([
    ['a string', { S: 'hello' }],
    ['a JSON string of a non-object', { S: '[1,2]' }],
    ['a number', { N: '5' }],
    ['a list', { L: [{ S: traceparentOf(span) }] }],
    ['null', { NULL: true }],
    ['a map of numbers', { M: { traceparent: { N: '1' } } }],
    ['a deeply nested map', { M: { traceparent: { M: { a: { M: { b: { S: 'c' } } } } } } }],
    ['a malformed traceparent', { M: { traceparent: { S: '00-zz' } } }],
  ])('keeps an _otel attribute that is %s as the user’s data', (_name, attribute) => {
    const image = { ...item, _otel: attribute };
    const { input, snapshot } = frozen(dynamoDbRecord({ dynamodb: { NewImage: image } }));
    expect(extractRecordContext(input)).toMatchObject({ carrier: 'none', spanContext: undefined });
    const payload = JSON.parse(recordPayload(input).text) as Record<string, unknown>;
    expect(input).toEqual(snapshot);
    if (attribute.M?.traceparent?.S === undefined) expect(payload).toEqual(image);
  });

  it('reads __proto__ and constructor attributes as plain data', () => {
    const image = JSON.parse(
      `{"__proto__":{"S":"x"},"constructor":{"M":{"prototype":{"S":"y"}}},"_otel":{"M":{"__proto__":{"S":"z"},"traceparent":{"S":"${traceparentOf(span)}"}}}}`,
    ) as Record<string, AttributeValue>;
    const record = dynamoDbRecord({ dynamodb: { NewImage: image } });
    expect(extractRecordContext(record).spanContext?.spanId).toBe(span.spanId);
    expect(recordPayload(record).text).toBe(
      '{"__proto__":{"S":"x"},"constructor":{"M":{"prototype":{"S":"y"}}}}',
    );
    expect(({} as Record<string, unknown>).S).toBeUndefined();
  });
});
