import type { Context, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import { spyOnDiag } from '../test-support/guards.js';
import { contextWith, kinesisRecordFromPut, remoteSpanContext } from '../test-support/records.js';
import { dynamoDbContextAttribute } from './dynamodb.js';
import { injectEventBridgeEntry } from './eventbridge.js';
import { injectKinesisRecord } from './kinesis.js';
import { MAX_CONTEXT_MEMBER_BYTES } from './limits.js';
import { extractRecordContext, recordPayload } from './record.js';
import { injectSnsMessage } from './sns.js';
import { injectSqsMessage } from './sqs.js';
import { isTextMap, omitKey, ownProperty, ownString, textMapGetter } from './propagator.js';

const diagSpy = spyOnDiag();
beforeEach(() => {
  diagSpy.reset();
});

describe('reading untrusted objects', () => {
  const parsed = JSON.parse('{"__proto__":{"a":"x"},"constructor":"c","own":"o","n":1}') as Record<
    string,
    unknown
  >;

  it('reads own string properties only', () => {
    expect(textMapGetter.get(parsed, 'own')).toBe('o');
    expect(textMapGetter.get(parsed, 'n')).toBeUndefined();
    expect(textMapGetter.get({}, 'constructor')).toBeUndefined();
    expect(textMapGetter.get({}, 'toString')).toBeUndefined();
    expect(textMapGetter.keys(parsed)).toEqual(['__proto__', 'constructor', 'own', 'n']);
    expect(ownString(parsed, 'constructor')).toBe('c');
    expect(ownProperty(Object.create({ own: 'inherited' }), 'own')).toBeUndefined();
    expect(ownProperty([1], '0')).toBeUndefined();
  });

  it('copies without a key and keeps __proto__ as data', () => {
    const copy = omitKey(parsed, 'own');
    expect(Object.keys(copy)).toEqual(['__proto__', 'constructor', 'n']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(omitKey(parsed, 'missing')).toBe(parsed);
  });

  it('recognises a text map: an object of string values only', () => {
    expect(isTextMap({})).toBe(true);
    expect(isTextMap({ traceparent: 'x', baggage: '' })).toBe(true);
    for (const value of [null, 'x', ['x'], { a: 1 }, { a: { b: 'c' } }, { a: null }]) {
      expect(isTextMap(value)).toBe(false);
    }
  });
});

/** A propagator whose `inject` does what the test says, and that reads nothing. */
function propagatorThat(
  inject: (carrier: unknown, setter: TextMapSetter) => void,
): TextMapPropagator {
  return {
    inject: (_context: Context, carrier: unknown, setter: TextMapSetter) => {
      inject(carrier, setter);
    },
    extract: (context: Context) => context,
    fields: () => [],
  };
}

describe('a caller’s own propagator', () => {
  const context = contextWith(remoteSpanContext());
  const inputs = () => ({
    sqs: { MessageBody: '{"a":1}' },
    sns: { Message: '{"a":1}' },
    kinesis: { PartitionKey: 'pk', Data: '{"a":1}' },
    eventBridge: { Source: 's', DetailType: 'd', Detail: '{"a":1}' },
  });

  it.each([
    [
      'that writes nothing (OTEL_PROPAGATORS=none, or suppressed tracing)',
      propagatorThat(() => undefined),
    ],
    [
      'that throws',
      propagatorThat(() => {
        throw new Error('broken propagator');
      }),
    ],
  ])('%s leaves every message as it is', (_name, propagator) => {
    const input = inputs();
    expect(injectSqsMessage(input.sqs, context, { propagator })).toBe(input.sqs);
    expect(injectSnsMessage(input.sns, context, { propagator })).toBe(input.sns);
    expect(injectKinesisRecord(input.kinesis, context, { propagator })).toBe(input.kinesis);
    expect(injectKinesisRecord(input.kinesis, context, { propagator, binaryEnvelope: true })).toBe(
      input.kinesis,
    );
    expect(injectEventBridgeEntry(input.eventBridge, context, { propagator })).toBe(
      input.eventBridge,
    );
    expect(dynamoDbContextAttribute(context, { propagator })).toBeUndefined();
    expect(diagSpy.warnings.length).toBeLessThanOrEqual(1);
  });

  it('that writes more than a consumer reads back gets no _otel, so payloads stay exact', () => {
    const propagator = propagatorThat((carrier, setter) => {
      setter.set(carrier, 'huge', 'x'.repeat(MAX_CONTEXT_MEMBER_BYTES));
    });
    const input = inputs();
    const kinesis = injectKinesisRecord(input.kinesis, context, { propagator });
    expect(recordPayload(kinesisRecordFromPut(kinesis)).text).toBe('{"a":1}');
    expect(injectEventBridgeEntry(input.eventBridge, context, { propagator }).Detail).toBe(
      '{"a":1}',
    );
  });

  it('that writes a member just under the limit still round-trips', () => {
    const propagator = propagatorThat((carrier, setter) => {
      setter.set(carrier, 'big', 'x'.repeat(MAX_CONTEXT_MEMBER_BYTES - 20));
    });
    const injected = injectKinesisRecord({ Data: '{"a":1}' }, context, { propagator });
    expect(injected.Data).not.toBe('{"a":1}');
    const record = kinesisRecordFromPut(injected);
    expect(recordPayload(record).text).toBe('{"a":1}');
    expect(extractRecordContext(record).carrier).toBe('none');
  });
});
