import { context as otelContext, type Context, type TextMapPropagator } from '@opentelemetry/api';
import { ContextCarrier, extractWithPropagator, type FoundContext } from './extracted.js';
import { lazyPayload, type RecordInspection, recordContext, RecordSource } from './inspection.js';
import { OTEL_JSON_KEY } from './names.js';
import {
  isPlainRecord,
  isTextMap,
  omitKey,
  ownProperty,
  ownString,
  textMapGetter,
  w3cPropagator,
} from './propagator.js';
import { contextTextMap, type InjectOptions } from './sqs.js';

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
  const textMap = contextTextMap(context, options.propagator ?? w3cPropagator);
  if (!textMap) return undefined;
  const M: Record<string, { S: string }> = {};
  for (const [key, value] of Object.entries(textMap)) M[key] = { S: value };
  return { M };
}

function imageTextMap(attribute: unknown): unknown {
  const map = ownProperty(attribute, 'M');
  if (isPlainRecord(map)) {
    return Object.fromEntries(
      Object.keys(map).map((key) => [key, ownString(ownProperty(map, key), 'S')]),
    );
  }
  try {
    return JSON.parse(ownString(attribute, 'S') ?? 'null') as unknown;
  } catch {
    return undefined;
  }
}

function contextFromTextMap(
  textMap: unknown,
  propagator: TextMapPropagator,
): FoundContext | undefined {
  if (!isPlainRecord(textMap)) return undefined;
  const extracted = extractWithPropagator(textMap, textMapGetter, propagator);
  return extracted ? { extracted, carrier: ContextCarrier.DYNAMODB_IMAGE } : undefined;
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
  const found = contextFromTextMap(textMap, propagator);
  const payload = isPlainRecord(image)
    ? isTextMap(textMap)
      ? omitKey(image, OTEL_JSON_KEY)
      : image
    : {};
  return {
    context: recordContext(found, RecordSource.DYNAMODB),
    payload: lazyPayload({ text: JSON.stringify(payload) }),
  };
}
