import { createHash } from 'node:crypto';

import { isRecord } from '../json.js';

const STRING_TRANSPORT = 1; // MD5 algorithm: transport type byte for String and Number values
const BINARY_TRANSPORT = 2; // MD5 algorithm: transport type byte for Binary values
const LENGTH_PREFIX_BYTES = 4; // MD5 algorithm: each part is prefixed by its length, 32-bit big-endian

/** One message attribute as SQS (JSON protocol) and SNS (query protocol) carry it. */
export interface MessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  /** Base64, as both wire protocols encode binary values. */
  readonly BinaryValue?: string;
}

/** Attributes by name; a Map because names come from the wire (`__proto__` included). */
export type MessageAttributes = ReadonlyMap<string, MessageAttribute>;

/**
 * Narrows an SQS JSON `MessageAttributes` member. An entry without a `DataType` is kept
 * with an empty one: it still counts towards the quota, and judging it is left to the
 * upstream emulator.
 *
 * @example
 * ```ts
 * readJsonAttributes({ a: { DataType: 'String', StringValue: 'x' } }).get('a')?.StringValue; // 'x'
 * ```
 */
export function readJsonAttributes(value: unknown): Map<string, MessageAttribute> {
  const attributes = new Map<string, MessageAttribute>();
  if (!isRecord(value)) return attributes;
  for (const [name, raw] of Object.entries(value)) {
    const attribute = isRecord(raw) ? raw : {};
    attributes.set(name, {
      DataType: typeof attribute.DataType === 'string' ? attribute.DataType : '',
      ...(typeof attribute.StringValue === 'string' ? { StringValue: attribute.StringValue } : {}),
      ...(typeof attribute.BinaryValue === 'string' ? { BinaryValue: attribute.BinaryValue } : {}),
    });
  }
  return attributes;
}

/**
 * The size SQS and SNS count for a message: the body plus each attribute's name, data type
 * and value, in bytes (binary values decoded). Message system attributes are not part of
 * it. Source: "Amazon SQS message attributes",
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
 *
 * @example
 * ```ts
 * messageSize('hi', new Map([['a', { DataType: 'String', StringValue: 'v' }]])); // 2 + 1 + 6 + 1
 * ```
 */
export function messageSize(body: string, attributes: MessageAttributes): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, attribute] of attributes) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType, 'utf8');
    size += attributeValue(attribute).length;
  }
  return size;
}

/**
 * The `MD5OfMessageAttributes` SQS returns, computed as SQS documents it ("Calculating the
 * MD5 message digest for message attributes"); `undefined` when there are none.
 *
 * @example
 * ```ts
 * message.MD5OfMessageAttributes = md5OfMessageAttributes(kept);
 * ```
 */
export function md5OfMessageAttributes(attributes: MessageAttributes): string | undefined {
  if (attributes.size === 0) return undefined;
  const hash = createHash('md5');
  for (const name of [...attributes.keys()].sort()) {
    const attribute = attributes.get(name);
    if (attribute === undefined) continue;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(attribute.DataType, 'utf8')));
    hash.update(Uint8Array.of(isBinary(attribute) ? BINARY_TRANSPORT : STRING_TRANSPORT));
    hash.update(lengthPrefixed(attributeValue(attribute)));
  }
  return hash.digest('hex');
}

/**
 * The attributes a ReceiveMessage `MessageAttributeNames` list selects: exact names,
 * `prefix.*` for every name under a prefix, and `All` or `.*` for everything.
 *
 * @example
 * ```ts
 * selectAttributes(attributes, ['traceparent', 'app.*']);
 * ```
 */
export function selectAttributes(
  attributes: MessageAttributes,
  requested: readonly string[],
): Map<string, MessageAttribute> {
  if (requested.includes('All') || requested.includes('.*')) return new Map(attributes);
  const prefixes = requested.filter((name) => name.endsWith('.*')).map((name) => name.slice(0, -1));
  return new Map(
    [...attributes].filter(
      ([name]) => requested.includes(name) || prefixes.some((prefix) => name.startsWith(prefix)),
    ),
  );
}

function isBinary(attribute: MessageAttribute): boolean {
  return attribute.DataType.startsWith('Binary');
}

function attributeValue(attribute: MessageAttribute): Buffer {
  return isBinary(attribute)
    ? Buffer.from(attribute.BinaryValue ?? '', 'base64')
    : Buffer.from(attribute.StringValue ?? '', 'utf8');
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const prefix = Buffer.alloc(LENGTH_PREFIX_BYTES);
  prefix.writeUInt32BE(bytes.length);
  return Buffer.concat([prefix, bytes]);
}
