/**
 * Hostile values for the extraction fuzz suites: JSON-shaped garbage with `__proto__` and
 * `constructor` keys, near misses of every context format, and the reference models (oracles)
 * the suites hold the library to. The oracles are written independently of the library, the
 * slow and obvious way (`JSON.parse` over candidate ranges), so a shared mistake is unlikely.
 */
import fc from 'fast-check';

/** Keys that have broken parsers before, and every key tracebridge reads. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'toJSON',
  'then',
  '_otel',
  '_datadog',
  'traceparent',
  'tracestate',
  'baggage',
  'specversion',
  'Type',
  'Value',
  'dataType',
  'stringValue',
  'binaryValue',
  'DataType',
  'StringValue',
  'M',
  'S',
  'x-datadog-trace-id',
  'x-datadog-parent-id',
  '',
] as const;

/** Keys that would turn a record or a body into another kind (tested on purpose elsewhere). */
const SHAPE_KEYS = new Set([
  'eventSource',
  'EventSource',
  'Sns',
  'kinesis',
  'dynamodb',
  'receiptHandle',
  'detail-type',
  'detail',
  'TopicArn',
  'source',
]);

const key = fc
  .oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 }))
  .filter((name) => !SHAPE_KEYS.has(name));

const HEX = '0123456789abcdef';
const hexString = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...Array.from(HEX)), minLength: length, maxLength: length });

/** A valid trace id and span id pair (not all zero). */
export interface SpanIds {
  readonly traceId: string;
  readonly spanId: string;
}

export const spanIds: fc.Arbitrary<SpanIds> = fc
  .record({ traceId: hexString(32), spanId: hexString(16) })
  .filter(({ traceId, spanId }) => /[1-9a-f]/.test(traceId) && /[1-9a-f]/.test(spanId));

export const traceparentOfIds = (ids: SpanIds, flags = '01'): string =>
  `00-${ids.traceId}-${ids.spanId}-${flags}`;

/** A string with one of its characters upper-cased, when it has a letter to upper-case. */
function upperOne(text: string, at: number): string {
  const letters = Array.from(text).flatMap((char, index) => (/[a-f]/.test(char) ? [index] : []));
  const index = letters[at % Math.max(1, letters.length)];
  if (index === undefined) return text.toUpperCase();
  return `${text.slice(0, index)}${text.charAt(index).toUpperCase()}${text.slice(index + 1)}`;
}

/** `traceparent` near misses, and some hits: the oracle says which is which. */
export const traceparentNearMiss: fc.Arbitrary<string> = fc
  .tuple(spanIds, hexString(2), fc.nat(), fc.string({ maxLength: 12 }))
  .chain(([ids, flags, at, noise]) => {
    const valid = traceparentOfIds(ids, flags);
    return fc.constantFrom(
      valid,
      ` \t${valid}\t `,
      `${valid}\n`,
      upperOne(valid, at),
      valid.toUpperCase(),
      `ff-${ids.traceId}-${ids.spanId}-${flags}`,
      `01-${ids.traceId}-${ids.spanId}-${flags}-${noise}`,
      `cc-${ids.traceId}-${ids.spanId}-${flags}`,
      `0-${ids.traceId}-${ids.spanId}-${flags}`,
      `${valid}-${noise}`,
      `${valid}-`,
      `00-${'0'.repeat(32)}-${ids.spanId}-${flags}`,
      `00-${ids.traceId}-${'0'.repeat(16)}-${flags}`,
      `00-${ids.traceId.slice(1)}-${ids.spanId}-${flags}`,
      `00-${ids.traceId}0-${ids.spanId}-${flags}`,
      `00-${ids.traceId}-${ids.spanId.slice(1)}-${flags}`,
      `00-${ids.traceId}-${ids.spanId}0-${flags}`,
      `00-${ids.traceId}-${ids.spanId}-${flags}0`,
      `00_${ids.traceId}_${ids.spanId}_${flags}`,
      `00-${ids.traceId}-${ids.spanId}`,
      `${ids.traceId}-${ids.spanId}-1`,
      `01-${ids.traceId}-${ids.spanId}-${flags}-${'x'.repeat(600)}`,
      `${valid}${' '.repeat(600)}`,
      noise,
      '',
    );
  });

/** W3C Trace Context as the library promises to read it: the span ids, or `undefined`. */
export function traceparentOracle(header: unknown): SpanIds | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const trimmed = header.trim();
  const [version = '', traceId = '', spanId = '', flags = '', ...rest] = trimmed.split('-');
  const isHex = (text: string, length: number): boolean =>
    text.length === length && Array.from(text).every((char) => HEX.includes(char));
  if (!isHex(version, 2) || !isHex(traceId, 32) || !isHex(spanId, 16) || !isHex(flags, 2)) {
    return undefined;
  }
  if (version === 'ff' || (version === '00' && rest.length > 0)) return undefined;
  // Fields a future version appends may hold anything but a line break.
  if (/[\n\r\u2028\u2029]/.test(rest.join('-'))) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId };
}

/** W3C `tracestate` values, up to well past its 512-character and 32-member limits. */
export const tracestate: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.stringMatching(/^[a-z][a-z0-9_\-*/]{0,12}(@[a-z][a-z0-9_\-*/]{0,6})?$/),
        fc.string({ unit: fc.constantFrom(...Array.from('abcXYZ019=.!')), maxLength: 40 }),
      ),
      { maxLength: 60 },
    )
    .map((members) => members.map(([name, value]) => `${name}=${value}`).join(',')),
  fc.string({ maxLength: 700 }),
);

/** W3C `baggage` headers, up to well past its 8,192-byte and 64-member limits. */
export const baggage: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 10 })),
        fc.string({ maxLength: 300 }),
        fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      ),
      { maxLength: 100 },
    )
    .map((members) =>
      members
        .map(
          ([name, value, property]) =>
            `${encodeURIComponent(name)}=${encodeURIComponent(value)}${property === undefined ? '' : `;${property}`}`,
        )
        .join(','),
    ),
  fc.string({ maxLength: 200 }),
  fc.constant(`big=${'x'.repeat(8200)}`),
);

/** An X-Ray header near miss, tagged with the ids a correct parser reads from it. */
export interface XRayCase {
  readonly header: string;
  readonly expected: SpanIds | undefined;
}

export const xrayNearMiss: fc.Arbitrary<XRayCase> = fc
  .tuple(spanIds, fc.constantFrom('0', '1', '?'), fc.string({ maxLength: 10 }), fc.boolean())
  .chain(([ids, sampled, noise, upper]) => {
    const root = `1-${ids.traceId.slice(0, 8)}-${ids.traceId.slice(8)}`;
    const parent = ids.spanId;
    const hit = (header: string): XRayCase => ({ header, expected: ids });
    const miss = (header: string): XRayCase => ({ header, expected: undefined });
    const zero = { traceId: '0'.repeat(32), spanId: '0'.repeat(16) };
    return fc.constantFrom(
      hit(`Root=${root};Parent=${parent};Sampled=${sampled}`),
      hit(`Parent=${parent};Sampled=${sampled};Root=${root}`),
      hit(` Root = ${root} ; Parent = ${parent} `),
      hit(`Root=${upper ? root.toUpperCase() : root};Parent=${parent};Lineage=a:1;Self=${noise}`),
      hit(`Root=${root};Parent=${parent};Sampled=${sampled};${noise}`),
      miss(`Root=${root};Sampled=${sampled}`),
      miss(`Parent=${parent};Sampled=${sampled}`),
      miss(`Root=2-${root.slice(2)};Parent=${parent}`),
      miss(`Root=${root}0;Parent=${parent}`),
      miss(`Root=${root};Parent=${parent.slice(1)}`),
      miss(`Root=1-00000000-${zero.traceId.slice(8)};Parent=${parent}`),
      miss(`Root=${root};Parent=${zero.spanId}`),
      miss(`Root=${root},Parent=${parent}`),
      miss(`Root=${root};Parent=${parent};Pad=${'x'.repeat(1100)}`),
      miss(noise.includes('=') ? '' : noise),
    );
  });

/** Datadog headers, valid and not: decimal ids out of range, zero, hex, negative, junk tags. */
export const datadogHeaders: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    'x-datadog-trace-id': fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 65n) - 1n }).map(String),
      fc.string({ maxLength: 22 }),
      fc.integer(),
    ),
    'x-datadog-parent-id': fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 65n) - 1n }).map(String),
      fc.string({ maxLength: 22 }),
    ),
    'x-datadog-sampling-priority': fc.oneof(fc.constantFrom('-1', '0', '1', '2'), fc.string()),
    'x-datadog-tags': fc.oneof(
      hexString(16).map((high) => `_dd.p.dm=-1,_dd.p.tid=${high}`),
      fc.string({ maxLength: 40 }),
    ),
  },
  { requiredKeys: [] },
);

/** Leaves of JSON, and strings that look like contexts. */
const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 12 }),
  traceparentNearMiss,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

/**
 * A JSON value of any shape. Objects are built with `Object.fromEntries`, which defines own
 * properties as `JSON.parse` does, so a `__proto__` key is an own data property.
 */
export const jsonish: fc.Arbitrary<unknown> = fc.letrec<{
  value: unknown;
  array: unknown[];
  object: Record<string, unknown>;
}>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc
    .array(fc.tuple(key, tie('value')), { maxLength: 5 })
    .map((entries) => Object.fromEntries(entries)),
})).value;

/** A JSON object of any shape, with hostile keys. */
export const jsonishObject: fc.Arbitrary<Record<string, unknown>> = fc
  .array(fc.tuple(key, jsonish), { maxLength: 6 })
  .map((entries) => Object.fromEntries(entries));

/** Keys of a JSON object other than the ones a test sets itself. */
export function withoutKeys(
  object: Record<string, unknown>,
  ...names: string[]
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([name]) => !names.includes(name)));
}

/** JSON text nested `depth` levels deep, in arrays and objects (with `__proto__` keys) alternately. */
export function deepJsonText(depth: number, innermost = '1'): string {
  const opener = '[{"__proto__":';
  const closer = '}]';
  const pairs = Math.ceil(depth / 2);
  return `${opener.repeat(pairs)}${innermost}${closer.repeat(pairs)}`;
}

export const INDENTS = [undefined, 0, 1, 2, '\t', ' \r\n'] as const;
const indent = fc.constantFrom(...INDENTS);

/**
 * Text a producer could send as a message body: any string (lone surrogates included), JSON of
 * any shape and layout, near misses of tracebridge's `_otel` member, and deep JSON.
 */
export const bodyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(fc.integer({ min: 0xd800, max: 0xdfff }), { maxLength: 4 })
    .map((units) => `{"a":"${String.fromCharCode(...units)}"}`),
  fc.tuple(jsonish, indent).map(([value, space]) => JSON.stringify(value, null, space)),
  fc.tuple(jsonishObject, indent).map(([value, space]) => JSON.stringify(value, null, space)),
  fc
    .tuple(jsonish, jsonishObject, fc.constantFrom('', ' ', '\n', '\t'), fc.constantFrom(',', ''))
    .map(([otel, rest, space, comma]) => {
      const restText = JSON.stringify(rest).slice(1);
      return `${space}{"_otel":${JSON.stringify(otel)}${comma}${restText}`;
    }),
  fc.integer({ min: 1000, max: 6000 }).map((depth) => deepJsonText(depth)),
);

/** Byte payloads: text as UTF-8, arbitrary bytes, and near misses of the binary envelope. */
export const dataBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  bodyText.map((text) => new Uint8Array(Buffer.from(text, 'utf8'))),
  fc.uint8Array({ maxLength: 64 }),
  fc
    .tuple(
      fc.constantFrom(1, 0, 2, 0xff),
      fc.integer({ min: 0, max: 0xffff }),
      fc.oneof(
        jsonish.map((value) => JSON.stringify(value)),
        fc.string({ maxLength: 20 }),
      ),
      fc.uint8Array({ maxLength: 16 }),
      fc.boolean(),
    )
    .map(([version, length, header, payload, honestLength]) => {
      const headerBytes = Buffer.from(header, 'utf8');
      const declared = honestLength ? headerBytes.length : length;
      return new Uint8Array(
        Buffer.concat([
          Buffer.from([0x00, 0x6f, 0x74, 0x65, 0x6c, version, declared >>> 8, declared & 0xff]),
          headerBytes,
          payload,
        ]),
      );
    }),
);

// ---------------------------------------------------------------------------------------------
// Oracles for the payload
// ---------------------------------------------------------------------------------------------

/** The `_otel` member read back is at most this long (the library's MAX_CONTEXT_MEMBER_BYTES). */
const MAX_MEMBER_UNITS = 16_384;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isTextMapValue(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === 'string')
  );
}

/**
 * Where tracebridge's own leading `"_otel":{…}` member sits in a text (one character per code
 * unit, or per byte for Kinesis data seen as latin1), or `undefined` when it has none.
 */
function ourMemberRange(
  view: string,
  parseRange: (start: number, end: number) => unknown,
): { start: number; end: number } | undefined {
  const open = /^[ \t\n\r]*\{/.exec(view);
  if (!open) return undefined;
  const start = open[0].length;
  const prefix = '"_otel":{';
  if (!view.startsWith(prefix, start)) return undefined;
  const valueStart = start + prefix.length - 1;
  for (
    let close = view.indexOf('}', valueStart);
    close >= 0;
    close = view.indexOf('}', close + 1)
  ) {
    if (close + 1 - valueStart > MAX_MEMBER_UNITS) return undefined;
    let value: unknown;
    try {
      value = parseRange(valueStart, close + 1);
    } catch {
      continue;
    }
    if (!isTextMapValue(value)) return undefined;
    if (view.charAt(close + 1) === ',') return { start, end: close + 2 };
    return /^[ \t\n\r]*\}/.test(view.slice(close + 1)) ? { start, end: close + 1 } : undefined;
  }
  return undefined;
}

/** A text payload with tracebridge's leading `_otel` member removed, as a consumer must see it. */
export function withoutOurMember(text: string): string {
  const range = ourMemberRange(text, (start, end) => JSON.parse(text.slice(start, end)));
  return range ? `${text.slice(0, range.start)}${text.slice(range.end)}` : text;
}

/** Bytes with tracebridge's leading `_otel` member removed. */
export function bytesWithoutOurMember(bytes: Uint8Array): Uint8Array {
  const view = Buffer.from(bytes).toString('latin1');
  const range = ourMemberRange(view, (start, end) =>
    JSON.parse(strictUtf8.decode(bytes.subarray(start, end))),
  );
  if (!range) return bytes;
  return new Uint8Array(Buffer.concat([bytes.subarray(0, range.start), bytes.subarray(range.end)]));
}

/** Kinesis data as a consumer must see it: the binary envelope's payload, or the JSON without `_otel`. */
export function kinesisPayloadOracle(bytes: Uint8Array): Uint8Array {
  const magic = [0x00, 0x6f, 0x74, 0x65, 0x6c, 0x01];
  if (bytes.length >= 8 && magic.every((byte, index) => bytes[index] === byte)) {
    const headerLength = (bytes[6] ?? 0) * 256 + (bytes[7] ?? 0);
    if (headerLength <= MAX_MEMBER_UNITS && 8 + headerLength <= bytes.length) {
      let header: unknown;
      try {
        header = JSON.parse(strictUtf8.decode(bytes.subarray(8, 8 + headerLength)));
      } catch {
        header = undefined;
      }
      if (typeof header === 'object' && header !== null && !Array.isArray(header)) {
        return bytes.subarray(8 + headerLength);
      }
    }
  }
  return bytesWithoutOurMember(bytes);
}

/** `JSON.stringify` of an already-parsed payload without a top-level `_otel` text map. */
export function serialisedWithoutOurMember(value: unknown): string {
  const ours =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.hasOwn(value, '_otel') &&
    isTextMapValue((value as Record<string, unknown>)._otel);
  try {
    return JSON.stringify(value, function (this: unknown, name: string, entry: unknown) {
      return ours && this === value && name === '_otel' ? undefined : entry;
    });
  } catch {
    // Too deep for JSON.stringify: the library passes such a payload on empty.
    return '';
  }
}
