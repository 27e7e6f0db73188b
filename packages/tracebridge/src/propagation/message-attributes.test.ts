import { beforeEach, describe, expect, it } from 'vitest';
import { frozen, spyOnDiag } from '../test-support/guards.js';
import { snsAttribute, sqsAttribute, sqsBinaryAttribute } from '../test-support/records.js';
import { MAX_SQS_SNS_MESSAGE_BYTES } from './limits.js';
import {
  addContextAttributes,
  attributeBinaryText,
  attributeByteLength,
  attributeString,
  messageAttributesGetter,
  messageByteLength,
  type SdkMessageAttribute,
} from './message-attributes.js';

const diagSpy = spyOnDiag();
beforeEach(() => {
  diagSpy.reset();
});

const TEXT_MAP = {
  traceparent: '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01',
  tracestate: 'vendor=value',
  baggage: 'tenant=acme',
};
const budget = (messageBytes = 0) => ({
  messageBytes,
  maxMessageBytes: MAX_SQS_SNS_MESSAGE_BYTES,
  service: 'SQS',
  fallback: 'AWSTraceHeader',
});
const stringAttribute = (value: string): SdkMessageAttribute => ({
  DataType: 'String',
  StringValue: value,
});

describe('attributeString', () => {
  it.each([
    ['an SDK request attribute', { DataType: 'String', StringValue: 'v' }],
    ['an SQS record attribute', sqsAttribute('v')],
    ['an SNS attribute', snsAttribute('v')],
    ['a custom String type', sqsAttribute('v', 'String.traceparent')],
    ['an attribute without a type', { stringValue: 'v' }],
  ])('reads %s', (_name, attribute) => {
    expect(attributeString({ traceparent: attribute }, 'traceparent')).toBe('v');
  });

  it.each([
    ['a Number attribute', sqsAttribute('1', 'Number')],
    ['a Binary attribute', sqsBinaryAttribute('v')],
    ['an SNS Binary attribute', snsAttribute('dg==', 'Binary')],
    ['an SNS String.Array attribute', snsAttribute('["v"]', 'String.Array')],
    ['a missing stringValue', { dataType: 'String', stringListValues: [], binaryListValues: [] }],
    ['a value that is an object', { dataType: 'String', stringValue: { v: 1 } }],
    ['a value that is a number', { DataType: 'String', StringValue: 5 }],
    ['a look-alike type', sqsAttribute('v', 'Stringy')],
    ['an attribute that is a string', 'v'],
    ['an attribute that is an array', ['v']],
    ['an attribute that is null', null],
  ])('reads %s as absent', (_name, attribute) => {
    expect(attributeString({ traceparent: attribute }, 'traceparent')).toBeUndefined();
  });

  it('never reads inherited attributes or inherited fields', () => {
    const inherited = Object.create({ traceparent: sqsAttribute('v') }) as object;
    expect(attributeString(inherited, 'traceparent')).toBeUndefined();
    const field = {
      traceparent: Object.create({ dataType: 'String', stringValue: 'v' }) as object,
    };
    expect(attributeString(field, 'traceparent')).toBeUndefined();
    expect(attributeString({}, 'constructor')).toBeUndefined();
    expect(attributeString({}, '__proto__')).toBeUndefined();
  });

  it('answers absent for attribute maps that are not objects', () => {
    for (const attributes of [undefined, null, 'x', 5, [sqsAttribute('v')]]) {
      expect(attributeString(attributes, '0')).toBeUndefined();
    }
  });

  it('backs a getter that lists keys only of objects', () => {
    expect(messageAttributesGetter.keys({ a: sqsAttribute('v'), b: sqsAttribute('w') })).toEqual([
      'a',
      'b',
    ]);
    expect(messageAttributesGetter.keys(null)).toEqual([]);
    expect(messageAttributesGetter.get({ a: sqsAttribute('v') }, 'a')).toBe('v');
  });
});

describe('attributeBinaryText', () => {
  it('decodes an SQS binaryValue and an SNS Binary Value', () => {
    expect(attributeBinaryText({ d: sqsBinaryAttribute('{"a":1}') }, 'd')).toBe('{"a":1}');
    expect(attributeBinaryText({ d: snsAttribute('eyJhIjoxfQ==', 'Binary') }, 'd')).toBe('{"a":1}');
  });

  it('ignores String attributes and non-objects', () => {
    expect(attributeBinaryText({ d: snsAttribute('eyJhIjoxfQ==') }, 'd')).toBeUndefined();
    expect(attributeBinaryText({ d: 'eyJhIjoxfQ==' }, 'd')).toBeUndefined();
    expect(attributeBinaryText(undefined, 'd')).toBeUndefined();
  });
});

describe('message size', () => {
  it('counts name, data type and every value in UTF-8 bytes', () => {
    expect(attributeByteLength('é', { DataType: 'String', StringValue: '😀' })).toBe(2 + 6 + 4);
    expect(attributeByteLength('b', { DataType: 'Binary', BinaryValue: new Uint8Array(10) })).toBe(
      1 + 6 + 10,
    );
    expect(
      attributeByteLength('l', {
        DataType: 'String.Array',
        StringListValues: ['ab', 'c'],
        BinaryListValues: [new Uint8Array(2)],
      }),
    ).toBe(1 + 12 + 3 + 2);
    expect(attributeByteLength('x', undefined)).toBe(0);
  });

  it('adds the body to the attributes', () => {
    expect(messageByteLength('héllo', { a: stringAttribute('1') })).toBe(6 + 1 + 6 + 1);
    expect(messageByteLength(undefined, undefined)).toBe(0);
  });
});

describe('addContextAttributes', () => {
  it('adds every field as a String attribute in the propagator order', () => {
    const added = addContextAttributes(undefined, TEXT_MAP, budget())!;
    expect(Object.keys(added)).toEqual(['traceparent', 'tracestate', 'baggage']);
    expect(added.traceparent).toEqual(stringAttribute(TEXT_MAP.traceparent));
    expect(diagSpy.warnings).toEqual([]);
  });

  it('copies instead of mutating the attributes it is given', () => {
    const { input, snapshot } = frozen({ own: stringAttribute('x') });
    const added = addContextAttributes(input, TEXT_MAP, budget())!;
    expect(added).not.toBe(input);
    expect(Object.keys(added)).toEqual(['own', 'traceparent', 'tracestate', 'baggage']);
    expect(input).toEqual(snapshot);
  });

  it('keeps the caller’s context when any of its fields is already set', () => {
    const own = { tracestate: stringAttribute('mine=1') };
    expect(addContextAttributes(own, TEXT_MAP, budget())).toBe(own);
  });

  it('does not count attributes whose value is undefined', () => {
    const attributes: Record<string, SdkMessageAttribute> = {};
    for (let index = 0; index < 9; index++) attributes[`a${index}`] = stringAttribute('x');
    const withHoles: Record<string, SdkMessageAttribute> = {
      ...attributes,
      hole: undefined as unknown as SdkMessageAttribute,
    };
    const added = addContextAttributes(withHoles, TEXT_MAP, budget())!;
    expect(added.traceparent).toBeDefined();
    expect(added.tracestate).toBeUndefined();
  });

  it('stops at the message size and leaves the smaller fields out too', () => {
    const traceparentBytes = attributeByteLength(
      'traceparent',
      stringAttribute(TEXT_MAP.traceparent),
    );
    const start = MAX_SQS_SNS_MESSAGE_BYTES - traceparentBytes - 10;
    const added = addContextAttributes(undefined, TEXT_MAP, budget(start))!;
    expect(Object.keys(added)).toEqual(['traceparent']);
    expect(diagSpy.warnings).toHaveLength(1);
    expect(diagSpy.warnings[0]).toContain('AWSTraceHeader');
  });

  it('adds nothing, and says so once, when even traceparent does not fit', () => {
    for (let index = 0; index < 3; index++) {
      expect(
        addContextAttributes(undefined, TEXT_MAP, budget(MAX_SQS_SNS_MESSAGE_BYTES)),
      ).toBeUndefined();
    }
    expect(diagSpy.warnings).toHaveLength(1);
  });
});
