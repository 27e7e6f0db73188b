import type { TextMapGetter, TextMapPropagator } from '@opentelemetry/api';
import { warnOnce } from './diag.js';
import { ContextCarrier, extractWithPropagator, type FoundContext } from './extracted.js';
import { contextFromDatadog } from './json-context.js';
import { utf8ByteLength } from './json-text.js';
import { MAX_MESSAGE_ATTRIBUTES } from './limits.js';
import { DATADOG_KEY } from './names.js';
import { isPlainRecord, ownProperty, ownString, recordString, type TextMap } from './propagator.js';

/** A message attribute as the AWS SDK sends it (SQS SendMessage, SNS Publish). */
export interface SdkMessageAttribute {
  DataType: string | undefined;
  StringValue?: string | undefined;
  BinaryValue?: Uint8Array | undefined;
  StringListValues?: string[] | undefined;
  BinaryListValues?: Uint8Array[] | undefined;
}

/** Attribute type that tracebridge writes: a plain string. */
const STRING_DATA_TYPE = 'String';

/**
 * SNS's array type: its value is JSON text (`["a","b"]`), not one string, although its name
 * starts like a custom String type (`String.<label>`, which SQS and SNS both allow).
 */
const SNS_STRING_ARRAY_DATA_TYPE = 'String.Array';

function isStringDataType(type: string): boolean {
  if (type === STRING_DATA_TYPE) return true;
  return type.startsWith(`${STRING_DATA_TYPE}.`) && type !== SNS_STRING_ARRAY_DATA_TYPE;
}

/**
 * Reads the string value of a message attribute in any of the shapes AWS uses: SDK requests
 * (`DataType`/`StringValue`), SQS Lambda records (`dataType`/`stringValue`) and SNS records and
 * envelopes (`Type`/`Value`). Binary, Number and SNS `String.Array` attributes read as absent.
 */
export function attributeString(attributes: unknown, name: string): string | undefined {
  const attribute = ownProperty(attributes, name);
  if (!isPlainRecord(attribute)) return undefined;
  // The attribute is known to be a plain object: read its fields without checking that again
  // for each (this runs for every field of every consumed message).
  const type =
    recordString(attribute, 'DataType') ??
    recordString(attribute, 'dataType') ??
    recordString(attribute, 'Type');
  if (type !== undefined && !isStringDataType(type)) return undefined;
  return (
    recordString(attribute, 'StringValue') ??
    recordString(attribute, 'stringValue') ??
    recordString(attribute, 'Value')
  );
}

/**
 * Reads a binary message attribute as text: SQS Lambda records carry it base64-encoded in
 * `binaryValue`, SNS records and envelopes in `Value` with `Type: 'Binary'`.
 */
export function attributeBinaryText(attributes: unknown, name: string): string | undefined {
  const attribute = ownProperty(attributes, name);
  if (!isPlainRecord(attribute)) return undefined;
  const base64 =
    ownString(attribute, 'binaryValue') ??
    (ownString(attribute, 'Type') === 'Binary' ? ownString(attribute, 'Value') : undefined);
  return base64 === undefined ? undefined : Buffer.from(base64, 'base64').toString('utf8');
}

/** Getter over message attributes of any AWS shape, for use with a `TextMapPropagator`. */
export const messageAttributesGetter: TextMapGetter<unknown> = {
  keys: (carrier) => (isPlainRecord(carrier) ? Object.keys(carrier) : []),
  get: (carrier, key) => attributeString(carrier, key),
};

/** Bytes an attribute counts toward the SQS/SNS message size: name, data type and value. */
export function attributeByteLength(
  name: string,
  attribute: SdkMessageAttribute | undefined,
): number {
  if (!attribute) return 0;
  let bytes = utf8ByteLength(name) + utf8ByteLength(attribute.DataType ?? '');
  if (typeof attribute.StringValue === 'string') bytes += utf8ByteLength(attribute.StringValue);
  if (attribute.BinaryValue) bytes += attribute.BinaryValue.length;
  for (const value of attribute.StringListValues ?? []) bytes += utf8ByteLength(value);
  for (const value of attribute.BinaryListValues ?? []) bytes += value.length;
  return bytes;
}

/** Bytes all of a message's attributes count toward the SQS/SNS message size. */
export function attributesByteLength(
  attributes: Readonly<Record<string, SdkMessageAttribute | undefined>> | undefined,
): number {
  let bytes = 0;
  for (const [name, attribute] of Object.entries(attributes ?? {})) {
    bytes += attributeByteLength(name, attribute);
  }
  return bytes;
}

/** Size of an SQS or SNS message as the service counts it: body plus every attribute. */
export function messageByteLength(
  body: string | undefined,
  attributes: Readonly<Record<string, SdkMessageAttribute | undefined>> | undefined,
): number {
  return utf8ByteLength(body ?? '') + attributesByteLength(attributes);
}

/** Limits an injection must respect, and how to describe the fallback when it cannot. */
export interface AttributeBudget {
  /** Size of the message before injection, body included. */
  readonly messageBytes: number;
  /** Largest message the service accepts. */
  readonly maxMessageBytes: number;
  /** Names the service and the fallback carrier in the warning, e.g. "SQS … AWSTraceHeader". */
  readonly service: string;
  readonly fallback: string;
}

/**
 * Adds the context fields of `textMap` as String attributes, never exceeding the 10-attribute
 * quota or the message size. Fields get slots in the propagator's order (`traceparent`, then
 * `tracestate`, then `baggage`); once one does not fit, the rest are left out too, since they
 * mean nothing without it. The caller then carries the context another way, and one warning per
 * process says so. A message whose caller set any of these fields keeps its own context.
 * Returns the new attribute map, or the original one when nothing was added.
 */
export function addContextAttributes<Attributes extends Record<string, SdkMessageAttribute>>(
  attributes: Attributes | undefined,
  textMap: TextMap,
  budget: AttributeBudget,
): Attributes | undefined {
  const existing: Readonly<Record<string, SdkMessageAttribute | undefined>> = attributes ?? {};
  const fields = Object.keys(textMap);
  if (fields.some((field) => Object.hasOwn(existing, field))) return attributes;
  let used = Object.values(existing).filter((value) => value !== undefined).length;
  let bytes = budget.messageBytes;
  let added: Record<string, SdkMessageAttribute | undefined> | undefined;
  let dropped = false;
  for (const field of fields) {
    const value = textMap[field];
    if (value === undefined) continue;
    const attribute: SdkMessageAttribute = { DataType: STRING_DATA_TYPE, StringValue: value };
    const attributeBytes = attributeByteLength(field, attribute);
    if (
      dropped ||
      used >= MAX_MESSAGE_ATTRIBUTES ||
      bytes + attributeBytes > budget.maxMessageBytes
    ) {
      dropped = true;
      continue;
    }
    added ??= { ...existing };
    added[field] = attribute;
    used++;
    bytes += attributeBytes;
  }
  if (dropped) {
    warnOnce(
      `attribute-budget-${budget.service}`,
      `a ${budget.service} message had no room for all trace context attributes (quota of ${MAX_MESSAGE_ATTRIBUTES} attributes or ${budget.maxMessageBytes} bytes); the context travels in ${budget.fallback} instead`,
    );
  }
  return (added as Attributes | undefined) ?? attributes;
}

/** Context from message attributes of any AWS shape (SQS, SNS): W3C fields, then Datadog's. */
export function contextFromAttributes(
  attributes: unknown,
  propagator: TextMapPropagator,
  carrier: ContextCarrier,
): FoundContext | undefined {
  const extracted = extractWithPropagator(attributes, messageAttributesGetter, propagator);
  if (extracted) return { extracted, carrier };
  const datadog = contextFromDatadog(
    attributeString(attributes, DATADOG_KEY) ?? attributeBinaryText(attributes, DATADOG_KEY),
    propagator,
  );
  return datadog ? { extracted: datadog, carrier: ContextCarrier.DATADOG } : undefined;
}
