import { ROOT_CONTEXT } from '@opentelemetry/api';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { frozen, hex, spyOnDiag } from '../test-support/guards.js';
import {
  contextWith,
  kinesisRecordFromPut,
  otelMemberOf,
  remoteSpanContext,
  traceparentOf,
} from '../test-support/records.js';
import { injectKinesisRecord, kinesisRecordByteLength } from './kinesis.js';
import { MAX_KINESIS_RECORD_BYTES } from './limits.js';
import { extractRecordContext, recordPayload } from './record.js';

const diagSpy = spyOnDiag();
beforeEach(() => {
  diagSpy.reset();
});

const span = remoteSpanContext();
const context = contextWith(span);
const MEMBER = otelMemberOf(span);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | string | undefined): string =>
  typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes);

/** Producer → Kinesis (base64) → consumer: the payload bytes the consumer's code sees. */
function throughKinesis(data: Uint8Array | string, options: { binaryEnvelope?: boolean } = {}) {
  const record = kinesisRecordFromPut(
    injectKinesisRecord({ PartitionKey: 'pk', Data: data }, context, options),
  );
  return { extracted: extractRecordContext(record), payload: recordPayload(record) };
}

describe('injectKinesisRecord', () => {
  it.each([
    ['{}', `{${MEMBER}}`],
    ['{ }', `{${MEMBER} }`],
    ['\r\n\t {"a":1}', `\r\n\t {${MEMBER},"a":1}`],
    ['{"a":1}', `{${MEMBER},"a":1}`],
  ])('inserts _otel into %j textually', (data, expected) => {
    const injected = injectKinesisRecord({ PartitionKey: 'pk', Data: utf8(data) }, context);
    expect(hex(injected.Data)).toBe(hex(utf8(expected)));
    const fromString = injectKinesisRecord({ PartitionKey: 'pk', Data: data }, context);
    expect(text(fromString.Data)).toBe(expected);
  });

  it.each([
    ['a JSON array', utf8('[{"a":1}]')],
    ['a JSON string', utf8('"{}"')],
    ['a JSON number', utf8('12345678901234567890123')],
    ['plain text', utf8('order 1 placed')],
    ['invalid UTF-8', Uint8Array.of(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d)],
    ['binary data', Uint8Array.of(0x00, 0x01, 0x02, 0xff)],
    ['empty data', new Uint8Array()],
  ])('leaves %s untouched by default', (_name, data) => {
    const record = { PartitionKey: 'pk', Data: data };
    expect(injectKinesisRecord(record, context)).toBe(record);
  });

  it('returns the record itself without data or without a span', () => {
    const noData = { PartitionKey: 'pk' };
    expect(injectKinesisRecord(noData, context)).toBe(noData);
    const json = { PartitionKey: 'pk', Data: utf8('{}') };
    expect(injectKinesisRecord(json, ROOT_CONTEXT)).toBe(json);
  });

  it('wraps non-JSON data in the binary envelope when asked, and JSON objects still get _otel', () => {
    const binary = injectKinesisRecord({ Data: Uint8Array.of(1, 2) }, context, {
      binaryEnvelope: true,
    });
    expect(hex((binary.Data as Uint8Array).subarray(0, 6))).toBe('006f74656c01');
    const json = injectKinesisRecord({ Data: utf8('{"a":1}') }, context, { binaryEnvelope: true });
    expect(text(json.Data)).toBe(`{${MEMBER},"a":1}`);
  });

  it('never mutates a frozen input', () => {
    const { input, snapshot } = frozen({
      StreamName: 's',
      PartitionKey: 'pk',
      Data: utf8('{"a":1}'),
    });
    const injected = injectKinesisRecord(input, context);
    expect(input).toEqual(snapshot);
    expect(injected).not.toBe(input);
  });
});

describe('the 1 MiB record limit', () => {
  /** A JSON object that, once injected, makes data plus partition key exactly `total` bytes. */
  function objectInjectedTo(total: number, partitionKeyBytes: number): Uint8Array {
    const shell = '{"pad":""}';
    const padding = total - partitionKeyBytes - (MEMBER.length + 1) - shell.length;
    return utf8(`{"pad":"${'x'.repeat(padding)}"}`);
  }

  it.each([
    ['exactly at the limit', 0, true],
    ['one byte under', -1, true],
    ['one byte over', 1, false],
  ])('%s after injection: injected %s', (_name, offset, injected) => {
    const partitionKey = 'order-é'; // 8 bytes in 7 characters: the limit counts bytes
    const data = objectInjectedTo(MAX_KINESIS_RECORD_BYTES + offset, 8);
    const record = { PartitionKey: partitionKey, Data: data };
    const result = injectKinesisRecord(record, context);
    expect(result !== record).toBe(injected);
    expect(kinesisRecordByteLength(result)).toBeLessThanOrEqual(MAX_KINESIS_RECORD_BYTES);
    if (injected) expect(kinesisRecordByteLength(result)).toBe(MAX_KINESIS_RECORD_BYTES + offset);
    expect(diagSpy.warnings).toHaveLength(injected ? 0 : 1);
  });

  it('applies the same limit to the binary envelope', () => {
    const data = new Uint8Array(MAX_KINESIS_RECORD_BYTES - 2 - 50);
    const record = { PartitionKey: 'pk', Data: data };
    expect(injectKinesisRecord(record, context, { binaryEnvelope: true })).toBe(record);
    expect(diagSpy.warnings).toHaveLength(1);
  });
});

describe('Kinesis payloads come back byte for byte', () => {
  it.each([
    ['integers above 2^53', '{"id":12345678901234567890123,"f":1.00000000000000000001e400}'],
    ['tabs, CRLF and spaces before colons', '\t{\r\n\t"a" :\t1 ,\r\n "b"\t: [ ]\r\n}\r\n'],
    ['unicode', '{"emoji":"😀👩‍👩‍👧","combining":"e\u0301","ls":"\u2028\u2029","esc":"\\u00e9"}'],
    ['duplicate keys', '{"a":1,"a":2,"a":{"a":3}}'],
    ['its own leading _otel', '{"_otel":{"traceparent":"mine"},"a":1}'],
    ['its own later _otel', '{"a":1,"_otel":{"traceparent":"mine"}}'],
    ['nested _otel', '{"a":{"_otel":{"traceparent":"mine"}},"b":[{"_otel":1}]}'],
    ['an empty object', '{}'],
  ])('with %s', (_name, producerText) => {
    const { extracted, payload } = throughKinesis(utf8(producerText));
    expect(hex(payload.bytes)).toBe(hex(utf8(producerText)));
    expect(payload.text).toBe(producerText);
    expect(extracted).toMatchObject({
      carrier: 'json-payload',
      format: 'w3c',
      recordSource: 'aws:kinesis',
      spanContext: { traceId: span.traceId, spanId: span.spanId, isRemote: true },
    });
  });

  it('reads the binary envelope, also when the consumer never asked for it', () => {
    const bytes = Uint8Array.of(0x00, 0xff, 0x7b, 0x10);
    const { extracted, payload } = throughKinesis(bytes, { binaryEnvelope: true });
    expect(hex(payload.bytes)).toBe('00ff7b10');
    expect(extracted).toMatchObject({
      carrier: 'binary-envelope',
      spanContext: { spanId: span.spanId },
    });
  });

  it('reads a record without context as a new trace and keeps its data', () => {
    const { extracted, payload } = throughKinesis(utf8('[1,2]'));
    expect(extracted).toMatchObject({
      carrier: 'none',
      spanContext: undefined,
      context: ROOT_CONTEXT,
    });
    expect(payload.text).toBe('[1,2]');
  });

  it('finds a context written by hand anywhere at the top level', () => {
    const { extracted } = throughKinesis(
      utf8(`{"a":1,"_otel":{"traceparent":"${traceparentOf(span)}"}}`),
    );
    expect(extracted.carrier).toBe('json-payload');
  });
});

describe('Kinesis round trips (property)', () => {
  const whitespace = fc.stringMatching(/^[ \t\r\n]{0,2}$/);
  const indent = fc.constantFrom(undefined, 0, 1, 4, '\t', '\r\n');
  const jsonText = fc
    .tuple(whitespace, fc.jsonValue(), indent, whitespace)
    .map(
      ([before, value, spacing, after]) =>
        `${before}${JSON.stringify(value, null, spacing)}${after}`,
    );
  const objectText = fc
    .tuple(fc.dictionary(fc.string(), fc.jsonValue()), indent)
    .map(([value, spacing]) => JSON.stringify(value, null, spacing));

  it('gives back every JSON text exactly', () => {
    fc.assert(
      fc.property(fc.oneof(jsonText, fc.json()), (producerText) => {
        expect(hex(throughKinesis(utf8(producerText)).payload.bytes)).toBe(hex(utf8(producerText)));
      }),
      { numRuns: 300 },
    );
  });

  it('carries the context in every JSON object and gives the object back exactly', () => {
    fc.assert(
      fc.property(objectText, (producerText) => {
        const { extracted, payload } = throughKinesis(producerText);
        expect(payload.text).toBe(producerText);
        expect(extracted.spanContext?.spanId).toBe(span.spanId);
      }),
      { numRuns: 300 },
    );
  });

  it.each([false, true])(
    'gives back arbitrary bytes exactly (binaryEnvelope: %s)',
    (binaryEnvelope) => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
          const { extracted, payload } = throughKinesis(bytes, { binaryEnvelope });
          expect(hex(payload.bytes)).toBe(hex(bytes));
          if (binaryEnvelope) expect(extracted.spanContext?.spanId).toBe(span.spanId);
        }),
        { numRuns: 300 },
      );
    },
  );
});
