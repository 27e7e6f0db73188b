import { warnOnce } from './diag.js';
import { MAX_CONTEXT_MEMBER_BYTES } from './limits.js';
import { OTEL_JSON_KEY } from './names.js';
import { isPlainRecord, isTextMap } from './propagator.js';

/**
 * JSON text as it travels: a string (SQS and SNS bodies, EventBridge `Detail`) or UTF-8 bytes
 * (Kinesis data). Every structural character of JSON is ASCII and no byte of a multi-byte UTF-8
 * sequence is, so one scanner over code units serves both without decoding the payload.
 */
export type JsonSource = string | Uint8Array;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

// Made on first use: the first TextDecoder of a process costs about 0.1 ms to construct
// (measured on Node 20), and only byte payloads (Kinesis data, binary envelopes) need one, so an
// SQS or SNS consumer never pays for it during its cold start.
let utf8Decoder: InstanceType<typeof TextDecoder> | undefined;
const utf8Encoder = new TextEncoder();

/** The exact text tracebridge writes after the opening brace: `"_otel":`. */
const CONTEXT_MEMBER_PREFIX = `"${OTEL_JSON_KEY}":`;

function codeAt(source: JsonSource, index: number): number {
  return typeof source === 'string' ? source.charCodeAt(index) : (source[index] ?? Number.NaN);
}

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function skipWhitespace(source: JsonSource, from: number): number {
  let index = from;
  while (index < source.length && isJsonWhitespace(codeAt(source, index))) index++;
  return index;
}

function decodeRange(source: JsonSource, start: number, end: number): string | undefined {
  if (typeof source === 'string') return source.slice(start, end);
  try {
    utf8Decoder ??= new TextDecoder('utf-8', { fatal: true });
    return utf8Decoder.decode(source.subarray(start, end));
  } catch {
    return undefined;
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function scanStringEnd(source: JsonSource, start: number, limit: number): number {
  for (let index = start + 1; index < limit; index++) {
    const code = codeAt(source, index);
    if (code === BACKSLASH) index++;
    else if (code === QUOTE) return index + 1;
  }
  return -1;
}

/**
 * Index just past the JSON value that starts at `start`, or -1 when the text ends (or `limit`
 * is reached) first. It tracks strings and nesting only; callers that need validity parse the
 * range they found. Nesting is a counter, not recursion, so any depth is scanned in one pass.
 */
export function scanValueEnd(source: JsonSource, start: number, limit = source.length): number {
  const end = Math.min(limit, source.length);
  let depth = 0;
  let index = start;
  while (index < end) {
    const code = codeAt(source, index);
    if (code === QUOTE) {
      index = scanStringEnd(source, index, end);
      if (index < 0) return -1;
      if (depth === 0) return index;
      continue;
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (depth === 0) return index === start ? -1 : index;
      if (--depth === 0) return index + 1;
    } else if (depth === 0 && (code === COMMA || isJsonWhitespace(code))) {
      return index === start ? -1 : index;
    }
    index++;
  }
  return depth === 0 && index > start ? index : -1;
}

/** Parses JSON text into an object, or `undefined` when it is not a JSON object. */
export function parseJsonObject(source: JsonSource): Record<string, unknown> | undefined {
  const value = parseJson(decodeRange(source, 0, source.length));
  return isPlainRecord(value) ? value : undefined;
}

/** The object that starts a payload, once its opening brace is found. */
function openingBrace(source: JsonSource): number | undefined {
  const open = skipWhitespace(source, 0);
  return codeAt(source, open) === OPEN_BRACE ? open : undefined;
}

/**
 * Inserts `"_otel":<memberJson>` right after the opening brace of a JSON object text, leaving
 * every other byte where it was. Returns `undefined` when the text is not a JSON object, when
 * the member is larger than a consumer reads back ({@link MAX_CONTEXT_MEMBER_BYTES}), or, with
 * `unlessPresent`, when the object has a top-level `_otel` of its own; callers treat that as "do
 * not inject".
 */
export function insertContextMember(
  source: string,
  memberJson: string,
  unlessPresent?: boolean,
): string | undefined;
export function insertContextMember(
  source: Uint8Array,
  memberJson: string,
  unlessPresent?: boolean,
): Uint8Array | undefined;
export function insertContextMember(
  source: JsonSource,
  memberJson: string,
  unlessPresent?: boolean,
): JsonSource | undefined;
export function insertContextMember(
  source: JsonSource,
  memberJson: string,
  unlessPresent = false,
): JsonSource | undefined {
  const open = openingBrace(source);
  // Parsed to check the text is one JSON object; the same parse answers `unlessPresent`.
  const object = open === undefined ? undefined : parseJsonObject(source);
  if (open === undefined || object === undefined) return undefined;
  if (utf8ByteLength(memberJson) > MAX_CONTEXT_MEMBER_BYTES) {
    // findLeadingContextMember would not find it: it would stay in the consumer's payload.
    warnOnce(
      'context-member-size',
      `a trace context of more than ${MAX_CONTEXT_MEMBER_BYTES} bytes was not inserted into a JSON payload`,
    );
    return undefined;
  }
  if (unlessPresent && Object.hasOwn(object, OTEL_JSON_KEY)) return undefined;
  const isEmptyObject = codeAt(source, skipWhitespace(source, open + 1)) === CLOSE_BRACE;
  const member = `${CONTEXT_MEMBER_PREFIX}${memberJson}${isEmptyObject ? '' : ','}`;
  if (typeof source === 'string') {
    return `${source.slice(0, open + 1)}${member}${source.slice(open + 1)}`;
  }
  const memberBytes = utf8Encoder.encode(member);
  const result = new Uint8Array(source.length + memberBytes.length);
  result.set(source.subarray(0, open + 1), 0);
  result.set(memberBytes, open + 1);
  result.set(source.subarray(open + 1), open + 1 + memberBytes.length);
  return result;
}

/** A leading `_otel` member found in a payload, and the range that removes it. */
export interface LeadingContextMember {
  readonly carrier: Record<string, unknown>;
  readonly removeStart: number;
  readonly removeEnd: number;
}

function startsWithPrefix(source: JsonSource, at: number): boolean {
  for (let offset = 0; offset < CONTEXT_MEMBER_PREFIX.length; offset++) {
    if (codeAt(source, at + offset) !== CONTEXT_MEMBER_PREFIX.charCodeAt(offset)) return false;
  }
  return true;
}

/**
 * Finds the member {@link insertContextMember} writes: `"_otel":{…}` directly after the opening
 * brace, with no whitespace, holding only string values, followed by a comma or by the end of the
 * object. Any other shape is part of the producer's own payload and is left alone.
 */
export function findLeadingContextMember(source: JsonSource): LeadingContextMember | undefined {
  const open = openingBrace(source);
  if (open === undefined || !startsWithPrefix(source, open + 1)) return undefined;
  const valueStart = open + 1 + CONTEXT_MEMBER_PREFIX.length;
  if (codeAt(source, valueStart) !== OPEN_BRACE) return undefined;
  const valueEnd = scanValueEnd(source, valueStart, valueStart + MAX_CONTEXT_MEMBER_BYTES);
  if (valueEnd < 0) return undefined;
  const carrier = parseJson(decodeRange(source, valueStart, valueEnd));
  if (!isTextMap(carrier)) return undefined;
  if (codeAt(source, valueEnd) === COMMA) {
    return { carrier, removeStart: open + 1, removeEnd: valueEnd + 1 };
  }
  if (codeAt(source, skipWhitespace(source, valueEnd)) === CLOSE_BRACE) {
    return { carrier, removeStart: open + 1, removeEnd: valueEnd };
  }
  return undefined;
}

/** The text without the range `[start, end)`. */
export function removeRange(source: string, start: number, end: number): string;
export function removeRange(source: Uint8Array, start: number, end: number): Uint8Array;
export function removeRange(source: JsonSource, start: number, end: number): JsonSource;
export function removeRange(source: JsonSource, start: number, end: number): JsonSource {
  if (typeof source === 'string') return `${source.slice(0, start)}${source.slice(end)}`;
  const result = new Uint8Array(source.length - (end - start));
  result.set(source.subarray(0, start), 0);
  result.set(source.subarray(end), start);
  return result;
}

/**
 * Locates the value of a top-level member of a JSON object text without parsing the rest, so a
 * nested payload (an EventBridge `detail` inside an SQS body) can be cut out byte for byte.
 */
export function findTopLevelValue(
  source: JsonSource,
  key: string,
): { start: number; end: number } | undefined {
  const open = openingBrace(source);
  if (open === undefined) return undefined;
  let index = skipWhitespace(source, open + 1);
  while (index < source.length && codeAt(source, index) === QUOTE) {
    const keyEnd = scanStringEnd(source, index, source.length);
    if (keyEnd < 0) return undefined;
    const memberKey = parseJson(decodeRange(source, index, keyEnd));
    const colon = skipWhitespace(source, keyEnd);
    if (codeAt(source, colon) !== COLON) return undefined;
    const valueStart = skipWhitespace(source, colon + 1);
    const valueEnd = scanValueEnd(source, valueStart);
    if (valueEnd < 0) return undefined;
    if (memberKey === key) return { start: valueStart, end: valueEnd };
    const separator = skipWhitespace(source, valueEnd);
    if (codeAt(source, separator) !== COMMA) return undefined;
    index = skipWhitespace(source, separator + 1);
  }
  return undefined;
}

/**
 * `JSON.stringify` that never throws and goes to any depth: `''` for a value it cannot serialise
 * (a BigInt, a cycle) or that has no JSON form (`undefined`, a function). A value nested deeper
 * than `JSON.stringify`'s recursion allows (Lambda's own parser takes any depth) is written
 * without recursion, to the same text.
 *
 * @example
 * stringifyJson({ a: [1, undefined] }); // '{"a":[1,null]}'
 */
export function stringifyJson(value: unknown): string {
  try {
    // JSON.stringify answers undefined for undefined and functions, whatever its typing says.
    const text = JSON.stringify(value) as unknown;
    return typeof text === 'string' ? text : '';
  } catch (error) {
    if (!(error instanceof RangeError)) return '';
    try {
      return stringifyWithoutRecursion(value);
    } catch {
      return '';
    }
  }
}

/**
 * An array or object being written: its keys (none for an array), the next one to write, and
 * how many items it has written (an object leaves out members with no JSON form).
 */
interface OpenContainer {
  readonly value: object;
  readonly keys: readonly string[] | undefined;
  next: number;
  written: number;
}

/** What JSON.stringify serialises in place of `value`: the result of its `toJSON`, if any. */
function jsonForm(value: unknown, key: string): unknown {
  if (typeof value === 'object' && value !== null) {
    const { toJSON } = value as { toJSON?: unknown };
    if (typeof toJSON === 'function') return (toJSON as (key: string) => unknown).call(value, key);
  }
  return value;
}

/** Arrays and plain objects are opened; anything else JSON.stringify writes as one value. */
function isContainer(value: unknown): value is object {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Number || value instanceof String || value instanceof Boolean)
  );
}

/**
 * JSON.stringify's algorithm (ECMA-262 SerializeJSONProperty) with an explicit stack in place of
 * recursion; every value that is not an array or object is written by JSON.stringify itself.
 * Throws TypeError on a cycle and on a BigInt, as JSON.stringify does.
 *
 * @example
 * stringifyWithoutRecursion(JSON.parse('['.repeat(1e5) + ']'.repeat(1e5))).length; // 200000
 */
export function stringifyWithoutRecursion(root: unknown): string {
  const parts: string[] = [];
  const open: OpenContainer[] = [];
  const ancestors = new Set<object>();
  const openContainer = (value: object): void => {
    if (ancestors.has(value)) throw new TypeError('a cycle cannot be serialised as JSON');
    ancestors.add(value);
    const keys = Array.isArray(value) ? undefined : Object.keys(value);
    parts.push(keys ? '{' : '[');
    open.push({ value, keys, next: 0, written: 0 });
  };
  const first = jsonForm(root, '');
  if (!isContainer(first)) {
    const text = JSON.stringify(first) as unknown;
    return typeof text === 'string' ? text : '';
  }
  openContainer(first);
  for (let top = open.at(-1); top; top = open.at(-1)) {
    const { value, keys } = top;
    if (top.next === (keys ?? (value as unknown[])).length) {
      parts.push(keys ? '}' : ']');
      ancestors.delete(value);
      open.pop();
      continue;
    }
    const index = top.next++;
    const key = keys ? (keys[index] as string) : String(index);
    const item = jsonForm((value as Record<string, unknown>)[key], key);
    const container = isContainer(item);
    // undefined for what has no JSON form: null in an array, left out of an object.
    const text = container ? undefined : (JSON.stringify(item) as string | undefined);
    if (keys && !container && text === undefined) continue;
    if (top.written++ > 0) parts.push(',');
    if (keys) parts.push(JSON.stringify(key), ':');
    if (container) openContainer(item);
    else parts.push(text ?? 'null');
  }
  return parts.join('');
}

/** Decodes UTF-8 bytes strictly; `undefined` when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  return decodeRange(bytes, 0, bytes.length);
}

/** Encodes text as UTF-8. */
export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** UTF-8 length of a string without allocating its bytes. */
export function utf8ByteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
