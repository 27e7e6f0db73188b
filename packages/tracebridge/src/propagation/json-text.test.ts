import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex } from '../test-support/guards.js';
import {
  decodeUtf8,
  encodeUtf8,
  findLeadingContextMember,
  findTopLevelValue,
  insertContextMember,
  removeRange,
  scanValueEnd,
  stringifyJson,
  stringifyWithoutRecursion,
  utf8ByteLength,
} from './json-text.js';
import { MAX_CONTEXT_MEMBER_BYTES } from './limits.js';

const MEMBER = '{"traceparent":"00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"}';

/** Inserts, then finds and removes the member again, as producer and consumer do. */
function roundTrip(text: string): string | undefined {
  const injected = insertContextMember(text, MEMBER);
  if (injected === undefined) return undefined;
  const leading = findLeadingContextMember(injected);
  if (!leading) return undefined;
  return removeRange(injected, leading.removeStart, leading.removeEnd);
}

describe('insertContextMember', () => {
  it.each([
    ['{}', `{"_otel":${MEMBER}}`],
    ['{ }', `{"_otel":${MEMBER} }`],
    ['{\n}', `{"_otel":${MEMBER}\n}`],
    ['{"a":1}', `{"_otel":${MEMBER},"a":1}`],
    [' \t\r\n{"a":1} ', ` \t\r\n{"_otel":${MEMBER},"a":1} `],
    ['{ "a" : [1, {"b": 2}] }', `{"_otel":${MEMBER}, "a" : [1, {"b": 2}] }`],
  ])('inserts right after the opening brace of %j', (text, expected) => {
    expect(insertContextMember(text, MEMBER)).toBe(expected);
    expect(new TextDecoder().decode(insertContextMember(encodeUtf8(text), MEMBER))).toBe(expected);
  });

  it.each([
    ['an array', '[{"a":1}]'],
    ['a string', '"{}"'],
    ['a number', '12'],
    ['null', 'null'],
    ['text', 'hello {"a":1}'],
    ['truncated JSON', '{"a":1'],
    ['two objects', '{}{}'],
    ['a trailing comma', '{"a":1,}'],
    ['a BOM', '\ufeff{}'],
    ['empty text', ''],
  ])('refuses %s', (_name, text) => {
    expect(insertContextMember(text, MEMBER)).toBeUndefined();
    expect(insertContextMember(encodeUtf8(text), MEMBER)).toBeUndefined();
  });

  it('refuses bytes that are not valid UTF-8, even inside a JSON string', () => {
    const bytes = Uint8Array.of(...encodeUtf8('{"a":"'), 0xc3, 0x28, ...encodeUtf8('"}'));
    expect(insertContextMember(bytes, MEMBER)).toBeUndefined();
  });

  it('leaves multi-byte characters intact in byte payloads', () => {
    const bytes = encodeUtf8('{"emoji":"😀","é":"e\u0301"}');
    const injected = insertContextMember(bytes, MEMBER)!;
    expect(hex(injected.subarray(injected.length - bytes.length + 1))).toBe(hex(bytes.subarray(1)));
  });
});

describe('findLeadingContextMember', () => {
  it('finds the member followed by a comma and removes the comma with it', () => {
    const text = `{"_otel":${MEMBER},"a":1}`;
    const found = findLeadingContextMember(text)!;
    expect(found.carrier).toEqual(JSON.parse(MEMBER));
    expect(removeRange(text, found.removeStart, found.removeEnd)).toBe('{"a":1}');
  });

  it('finds the member that is the whole object, keeping the whitespace before the brace', () => {
    const text = `{"_otel":${MEMBER}  \n}`;
    const found = findLeadingContextMember(text)!;
    expect(removeRange(text, found.removeStart, found.removeEnd)).toBe('{  \n}');
  });

  it.each([
    ['whitespace after the brace', `{ "_otel":${MEMBER},"a":1}`],
    ['whitespace before the colon', `{"_otel" :${MEMBER}}`],
    ['whitespace after the colon', `{"_otel": ${MEMBER}}`],
    ['whitespace before the comma', `{"_otel":${MEMBER} ,"a":1}`],
    ['a key that is not first', `{"a":1,"_otel":${MEMBER}}`],
    ['an escaped key', `{"\\u005fotel":${MEMBER}}`],
    ['a string value', '{"_otel":"00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"}'],
    ['an array value', '{"_otel":[1,2]}'],
    ['a number value', '{"_otel":1}'],
    ['a null value', '{"_otel":null}'],
    ['an unterminated value', '{"_otel":{"traceparent":"00-'],
    ['a value followed by garbage', `{"_otel":${MEMBER}x}`],
    ['nested _otel only', `{"a":{"_otel":${MEMBER}}}`],
    ['an array around it', `[{"_otel":${MEMBER}}]`],
  ])('ignores %s', (_name, text) => {
    expect(findLeadingContextMember(text)).toBeUndefined();
    expect(findLeadingContextMember(encodeUtf8(text))).toBeUndefined();
  });

  it('ignores a member longer than MAX_CONTEXT_MEMBER_BYTES', () => {
    const big = `{"_otel":{"x":"${'a'.repeat(MAX_CONTEXT_MEMBER_BYTES)}"},"a":1}`;
    expect(findLeadingContextMember(big)).toBeUndefined();
    const justFits = `{"_otel":{"x":"${'a'.repeat(MAX_CONTEXT_MEMBER_BYTES - 10)}"},"a":1}`;
    expect(findLeadingContextMember(justFits)).toBeDefined();
  });

  it('copes with quotes, braces and backslashes inside strings of the member', () => {
    const member = '{"traceparent":"x","tracestate":"a=\\"}{\\\\","k":"]"}';
    const text = `{"_otel":${member},"a":1}`;
    const found = findLeadingContextMember(text)!;
    expect(found.carrier).toEqual(JSON.parse(member));
    expect(removeRange(text, found.removeStart, found.removeEnd)).toBe('{"a":1}');
  });
});

describe('scanValueEnd', () => {
  it.each([
    ['{"a":"}"} tail', 0, 9],
    ['[1,[2],{"x":[]}],', 0, 16],
    ['"a\\"b",', 0, 6],
    ['123 ', 0, 3],
    ['true}', 0, 4],
  ])('finds the end of the value in %j', (text, start, end) => {
    expect(scanValueEnd(text, start)).toBe(end);
  });

  it.each([['{"a":1'], ['"abc'], [''], ['}'], [',']])('answers -1 for %j', (text) => {
    expect(scanValueEnd(text, 0)).toBe(-1);
  });

  it('scans a value nested 100,000 deep without recursing', () => {
    const deep = `${'[{"a":'.repeat(100_000)}1${'}]'.repeat(100_000)}`;
    expect(scanValueEnd(`${deep},`, 0)).toBe(deep.length);
    expect(scanValueEnd(deep.slice(0, -1), 0)).toBe(-1);
  });
});

describe('findTopLevelValue', () => {
  it('cuts a top-level value out byte for byte, whatever the whitespace', () => {
    const text =
      '{ "detail-type" : "x",\r\n\t"detail"\t:\t{"id":12345678901234567890123 , "b":[ ]}\n}';
    const found = findTopLevelValue(text, 'detail')!;
    expect(text.slice(found.start, found.end)).toBe('{"id":12345678901234567890123 , "b":[ ]}');
  });

  it('ignores nested members of the same name and finds escaped keys', () => {
    const text = '{"a":{"detail":1},"d\\u0065tail":"top"}';
    const found = findTopLevelValue(text, 'detail')!;
    expect(text.slice(found.start, found.end)).toBe('"top"');
  });

  it.each([['{"a":1}'], ['[{"detail":1}]'], ['{"detail"'], ['{"a":1 "detail":2}'], ['']])(
    'answers undefined for %j',
    (text) => {
      expect(findTopLevelValue(text, 'detail')).toBeUndefined();
    },
  );
});

describe('UTF-8 helpers', () => {
  it('counts bytes, not code units', () => {
    expect(utf8ByteLength('aé😀\u2028')).toBe(1 + 2 + 4 + 3);
  });

  it('decodes strictly', () => {
    expect(decodeUtf8(encodeUtf8('é😀'))).toBe('é😀');
    expect(decodeUtf8(Uint8Array.of(0xff, 0xfe))).toBeUndefined();
  });
});

describe('insert and remove round trip (property)', () => {
  const whitespace = fc.stringMatching(/^[ \t\r\n]{0,3}$/);
  const objectText = fc
    .tuple(
      whitespace,
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.constantFrom(0, 1, 2, '\t', ' \r\n'),
      whitespace,
    )
    .map(
      ([before, value, indent, after]) => `${before}${JSON.stringify(value, null, indent)}${after}`,
    );

  it('gives back every JSON object text exactly, as a string and as bytes', () => {
    fc.assert(
      fc.property(objectText, (text) => {
        expect(roundTrip(text)).toBe(text);
        const injected = insertContextMember(encodeUtf8(text), MEMBER)!;
        const found = findLeadingContextMember(injected)!;
        expect(hex(removeRange(injected, found.removeStart, found.removeEnd))).toBe(
          hex(encodeUtf8(text)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('never inserts into JSON that is not an object', () => {
    fc.assert(
      fc.property(
        fc
          .jsonValue()
          .filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
        (value) => {
          expect(insertContextMember(JSON.stringify(value), MEMBER)).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('stringifyJson past the depth JSON.stringify reaches', () => {
  it('writes a value of any depth to the text it was parsed from', () => {
    const depth = 100_000;
    const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const objects = `${'{"a":'.repeat(depth)}[1,"é",null]${'}'.repeat(depth)}`;
    for (const text of [arrays, objects, `{"x":true,"deep":${arrays},"y":-0.5}`]) {
      const value = JSON.parse(text) as unknown;
      expect(() => JSON.stringify(value)).toThrow(RangeError);
      expect(stringifyJson(value)).toBe(text);
    }
  });

  it('writes what JSON.stringify writes, for every kind of value', () => {
    const withToJson = fc.jsonValue().map((inner) => ({ toJSON: (key: string) => [key, inner] }));
    const values = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue(),
        fc.constantFrom(undefined, null, Number.NaN, -0, Infinity, () => 1, Symbol('s')),
        fc.date({ noInvalidDate: true }),
        fc.constantFrom(new Number(2), new String('s'), new Boolean(false)),
        withToJson,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.sparseArray(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(values, (value) => {
        // JSON.stringify answers undefined for undefined, functions and symbols, whatever its typing says.
        expect(stringifyWithoutRecursion(value)).toBe((JSON.stringify(value) as unknown) ?? '');
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes an object each time it appears, when it is not its own ancestor', () => {
    const shared = { a: [1] };
    const value = { x: shared, y: [shared, shared], z: { shared } };
    expect(stringifyWithoutRecursion(value)).toBe(JSON.stringify(value));
  });

  it('fails where JSON.stringify fails, and stringifyJson answers an empty string', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = { back: cycle };
    for (const value of [cycle, { big: 1n }, [2n]]) {
      expect(() => stringifyWithoutRecursion(value)).toThrow(TypeError);
      expect(stringifyJson(value)).toBe('');
    }
  });
});
