import { context as otelContext, type Context, type TextMapPropagator } from '@opentelemetry/api';
import { ContextCarrier, contextFromTextMap } from './extracted.js';
import { contextTextMap, type InjectOptions } from './inject.js';
import {
  type RecordInspection,
  recordContext,
  RecordSource,
  serialisedPayload,
} from './inspection.js';
import { parseJsonObject } from './json-text.js';
import { OTEL_JSON_KEY } from './names.js';
import { isPlainRecord, isTextMap, omitKey, ownProperty, ownString } from './propagator.js';

/** A DynamoDB map attribute of string attributes, in DynamoDB JSON. */
export interface DynamoDbContextAttribute {
  M: Record<string, { S: string }>;
}

/**
 * The `_otel` attribute to store on a DynamoDB item so that a stream consumer continues the
 * writer's trace. DynamoDB Streams records carry no metadata of their own, so the context has to
 * live in the item. Returns `undefined` when there is no span to continue.
 *
 * @example
 * ```ts
 * import { PutItemCommand } from '@aws-sdk/client-dynamodb';
 * import { dynamoDbContextAttribute } from 'tracebridge';
 *
 * const _otel = dynamoDbContextAttribute();
 * await ddb.send(new PutItemCommand({ TableName, Item: { ...item, ...(_otel && { _otel }) } }));
 * ```
 */
export function dynamoDbContextAttribute(
  context: Context = otelContext.active(),
  options: InjectOptions = {},
): DynamoDbContextAttribute | undefined {
  const textMap = contextTextMap(context, options.propagator);
  if (!textMap) return undefined;
  const M: Record<string, { S: string }> = {};
  for (const [key, value] of Object.entries(textMap)) M[key] = { S: value };
  return { M };
}

/** The `_otel` attribute as an object: a map (`M`) of strings, or JSON text in a string (`S`). */
function imageTextMap(attribute: unknown): Record<string, unknown> | undefined {
  const map = ownProperty(attribute, 'M');
  if (isPlainRecord(map)) {
    return Object.fromEntries(
      Object.keys(map).map((key) => [key, ownString(ownProperty(map, key), 'S')]),
    );
  }
  const text = ownString(attribute, 'S');
  return text === undefined ? undefined : parseJsonObject(text);
}

/**
 * Reads a DynamoDB Streams record: the context from the `_otel` attribute of the new image (or
 * the old one for deletions), the payload as the image in DynamoDB JSON without `_otel` when that
 * holds a text map (an `_otel` of any other shape is the writer's own data).
 */
export function inspectDynamoDbRecord(
  record: unknown,
  propagator: TextMapPropagator,
): RecordInspection {
  const change = ownProperty(record, 'dynamodb');
  const image = ownProperty(change, 'NewImage') ?? ownProperty(change, 'OldImage');
  const textMap = imageTextMap(ownProperty(image, OTEL_JSON_KEY));
  const found = textMap && contextFromTextMap(textMap, propagator, ContextCarrier.DYNAMODB_IMAGE);
  const payload = isPlainRecord(image)
    ? isTextMap(textMap)
      ? omitKey(image, OTEL_JSON_KEY)
      : image
    : {};
  return {
    context: recordContext(found, RecordSource.DYNAMODB),
    payload: serialisedPayload(payload),
  };
}
