/**
 * Lambda event records of every source with garbage in every field, each with what a consumer
 * must get from it: the payload (by the oracles of hostile-values.ts) and, when the generator
 * planted a valid context where nothing can outrank it, that context.
 */
import fc from 'fast-check';
import {
  baggage,
  bodyText,
  dataBytes,
  datadogHeaders,
  deepJsonText,
  INDENTS,
  jsonish,
  jsonishObject,
  kinesisPayloadOracle,
  serialisedWithoutOurMember,
  type SpanIds,
  spanIds,
  traceparentNearMiss,
  traceparentOfIds,
  tracestate,
  withoutKeys,
  withoutOurMember,
  xrayNearMiss,
} from './hostile-values.js';

/** The record sources the generators cover. */
export type CaseSource =
  'aws:sqs' | 'aws:sns' | 'aws:kinesis' | 'aws:dynamodb' | 'aws.events' | 'unknown';

/** A generated record and what a consumer must get from it. */
export interface RecordCase {
  readonly label: string;
  readonly source: CaseSource;
  readonly record: unknown;
  /** The payload, text for every source but Kinesis (bytes). */
  readonly payload: string | Uint8Array;
  /** A valid context that nothing else in the record outranks: it must be the one found. */
  readonly planted: SpanIds | undefined;
  /** What `batchItemFailures` names the record by, if anything. */
  readonly failureId: string | undefined;
  /** SQS FIFO message group. */
  readonly messageGroupId: string | undefined;
}

/** Any value at all where a string is expected, and strings that look like contexts. */
const anyField: fc.Arbitrary<unknown> = fc.oneof(
  jsonish,
  traceparentNearMiss,
  fc.constant(undefined),
);

const contextText: fc.Arbitrary<unknown> = fc.oneof(
  traceparentNearMiss,
  tracestate,
  baggage,
  jsonish,
);

/** A message attribute in the Lambda SQS shape, the SNS shape, the SDK shape, or none. */
const attribute: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      dataType: fc.oneof(
        fc.constantFrom('String', 'String.custom', 'String.Array', 'Number', 'Binary', 'string'),
        anyField,
      ),
      stringValue: contextText,
      binaryValue: fc.oneof(
        fc.base64String(),
        datadogHeaders.map((headers) => Buffer.from(JSON.stringify(headers)).toString('base64')),
        anyField,
      ),
      stringListValues: fc.oneof(fc.array(contextText, { maxLength: 2 }), anyField),
      binaryListValues: anyField,
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      Type: fc.oneof(fc.constantFrom('String', 'String.Array', 'Number', 'Binary'), anyField),
      Value: fc.oneof(
        contextText,
        datadogHeaders.map((headers) => JSON.stringify(headers)),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    { DataType: anyField, StringValue: contextText, BinaryValue: anyField },
    { requiredKeys: [] },
  ),
  datadogHeaders.map((headers) => ({ dataType: 'String', stringValue: JSON.stringify(headers) })),
  anyField,
);

/** A map of message attributes with context-like names, garbage values, and hostile keys. */
const attributeMap: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.constantFrom('traceparent', 'tracestate', 'baggage', '_datadog', '__proto__', 'x'),
        attribute,
      ),
      { maxLength: 5 },
    )
    .map((entries) => Object.fromEntries(entries)),
  anyField,
);

/** The same, minus anything a W3C or Datadog extractor reads: it can never yield a context. */
const contextFreeAttributeMap: fc.Arbitrary<unknown> = attributeMap.map((map) =>
  typeof map === 'object' && map !== null && !Array.isArray(map)
    ? withoutKeys(map as Record<string, unknown>, 'traceparent', '_datadog')
    : map,
);

const lambdaAttribute = (value: string): Record<string, unknown> => ({
  stringValue: value,
  stringListValues: [],
  binaryListValues: [],
  dataType: 'String',
});

const messageId = fc.option(fc.uuid(), { nil: undefined });

function bodyWithOurMember(ids: SpanIds, body: Record<string, unknown>, space: string): string {
  const text = JSON.stringify(body);
  const member = `"_otel":${JSON.stringify({ traceparent: traceparentOfIds(ids) })}`;
  return `${space}{${member}${text === '{}' ? '' : ','}${text.slice(1)}`;
}

/** A JSON object body carrying tracebridge's `_otel` member, and the body without it. */
const bodyCarrying = (ids: SpanIds): fc.Arbitrary<{ text: string; payload: string }> =>
  fc.tuple(jsonishObject, fc.constantFrom('', ' ', '\n')).map(([object, space]) => ({
    text: bodyWithOurMember(ids, object, space),
    payload: `${space}${JSON.stringify(object)}`,
  }));

// ---------------------------------------------------------------------------------------------
// SQS
// ---------------------------------------------------------------------------------------------

interface SqsParts {
  readonly body: unknown;
  readonly messageAttributes: unknown;
  readonly traceHeader: unknown;
}

interface SqsCommon {
  readonly extra: Record<string, unknown>;
  readonly id: string | undefined;
  readonly group: string | undefined;
  readonly fifo: boolean;
}

function sqsRecordOf(
  parts: SqsParts,
  { extra, id, group, fifo }: SqsCommon,
): Record<string, unknown> {
  const attributes = {
    ...extra,
    ApproximateReceiveCount: '1',
    ...(parts.traceHeader === undefined ? {} : { AWSTraceHeader: parts.traceHeader }),
    ...(group === undefined ? {} : { MessageGroupId: group }),
  };
  return {
    ...(id === undefined ? {} : { messageId: id }),
    receiptHandle: 'AQEB',
    ...(parts.body === undefined ? {} : { body: parts.body }),
    attributes,
    messageAttributes: parts.messageAttributes,
    eventSource: 'aws:sqs',
    eventSourceARN: fifo
      ? 'arn:aws:sqs:us-east-2:123456789012:orders.fifo'
      : // An ARN that is not a string must not break the FIFO check (it once threw).
        JSON.parse('{"toString":1}'),
  };
}

/** An SQS case: its record, and the id and group a failure of it is reported with. */
function sqsCase(
  label: string,
  parts: SqsParts,
  common: SqsCommon,
  expected: Pick<RecordCase, 'payload' | 'planted'>,
): RecordCase {
  return {
    label,
    source: 'aws:sqs',
    record: sqsRecordOf(parts, common),
    ...expected,
    failureId: common.id,
    messageGroupId: common.group,
  };
}

const sqsCommon: fc.Arbitrary<SqsCommon> = fc.record({
  extra: jsonishObject,
  id: messageId,
  group: fc.option(fc.constantFrom('g1', 'g2'), { nil: undefined, freq: 3 }),
  fifo: fc.boolean(),
});

/** SQS with garbage everywhere: the body's payload is the body, less our member. */
const sqsGarbage: fc.Arbitrary<RecordCase> = fc
  .tuple(
    fc.oneof(bodyText, anyField),
    attributeMap,
    fc.oneof(
      xrayNearMiss.map((xray) => xray.header),
      anyField,
    ),
    sqsCommon,
  )
  .map(([body, messageAttributes, traceHeader, common]) =>
    sqsCase('sqs garbage', { body, messageAttributes, traceHeader }, common, {
      payload: withoutOurMember(typeof body === 'string' ? body : ''),
      planted: undefined,
    }),
  );

/** SQS with a valid `traceparent` attribute, the top carrier, and garbage around it. */
const sqsPlanted: fc.Arbitrary<RecordCase> = fc
  .tuple(spanIds, bodyText, attributeMap, fc.constantFrom('String', 'String.custom'), sqsCommon)
  .map(([ids, body, garbage, dataType, common]) => {
    const messageAttributes = {
      ...(typeof garbage === 'object' && garbage !== null ? garbage : {}),
      traceparent: { ...lambdaAttribute(traceparentOfIds(ids)), dataType },
    };
    return sqsCase(
      'sqs attribute',
      { body, messageAttributes, traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793' },
      common,
      { payload: withoutOurMember(body), planted: ids },
    );
  });

/** SQS whose body is an `_otel` JSON body; the record's attributes carry nothing usable. */
const sqsPlantedInBody: fc.Arbitrary<RecordCase> = fc
  .tuple(spanIds, sqsCommon, contextFreeAttributeMap)
  .chain(([ids, common, messageAttributes]) =>
    bodyCarrying(ids).map(({ text, payload }) =>
      sqsCase('sqs _otel body', { body: text, messageAttributes, traceHeader: undefined }, common, {
        payload,
        planted: ids,
      }),
    ),
  );

const SNS_ENVELOPE_KEYS = ['Type', 'TopicArn', 'Message', 'MessageAttributes', 'MessageId'];

/** SNS non-raw delivery: the notification JSON as the SQS body, garbage in its fields. */
const sqsSnsEnvelope: fc.Arbitrary<RecordCase> = fc
  .tuple(
    fc.option(spanIds, { nil: undefined }),
    fc.oneof(fc.constant('Notification'), anyField),
    fc.oneof(fc.constant('arn:aws:sns:us-east-2:123456789012:orders'), anyField),
    fc.oneof(bodyText, anyField),
    attributeMap,
    jsonishObject,
    fc.constantFrom(...INDENTS),
    contextFreeAttributeMap,
    sqsCommon,
  )
  .map(([ids, type, topicArn, message, attributes, extra, space, recordAttributes, common]) => {
    const isNotification =
      type === 'Notification' && typeof topicArn === 'string' && typeof message === 'string';
    const envelopeAttributes = ids
      ? { traceparent: { Type: 'String', Value: traceparentOfIds(ids) } }
      : attributes;
    const envelope = {
      ...withoutKeys(extra, ...SNS_ENVELOPE_KEYS),
      Type: type,
      TopicArn: topicArn,
      Message: message,
      MessageAttributes: envelopeAttributes,
    };
    const body = JSON.stringify(envelope, null, space);
    return sqsCase(
      'sqs sns envelope',
      { body, messageAttributes: recordAttributes, traceHeader: undefined },
      common,
      {
        payload: isNotification ? withoutOurMember(message) : withoutOurMember(body),
        planted: isNotification ? ids : undefined,
      },
    );
  });

const trimJsonWhitespace = (text: string): string => text.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');

/** The text of a JSON object member, with garbage whitespace around its colon. */
const member = (name: string, valueText: string, space: string): string =>
  `${JSON.stringify(name)}${space}:${space}${valueText}`;

/** An EventBridge event as the SQS body of a rule's SQS target, `detail` written verbatim. */
const sqsEventBridgeEnvelope: fc.Arbitrary<RecordCase> = fc
  .tuple(
    fc.option(spanIds, { nil: undefined }),
    fc.oneof(fc.constant('OrderPlaced'), anyField),
    fc.oneof(
      bodyText.filter((text) => {
        try {
          JSON.parse(text);
          return true;
        } catch {
          return false;
        }
      }),
      fc.integer({ min: 1000, max: 20_000 }).map((depth) => deepJsonText(depth)),
    ),
    jsonishObject,
    fc.constantFrom('', ' ', '\n  '),
    fc.nat(),
    contextFreeAttributeMap,
    sqsCommon,
  )
  .chain(([ids, detailType, garbageDetail, extra, space, at, recordAttributes, common]) => {
    // The detail is cut out of the event as a JSON value: whitespace around it is the event's.
    const detail: fc.Arbitrary<{ text: string; payload: string }> = (
      ids
        ? bodyCarrying(ids)
        : fc.constant({ text: garbageDetail, payload: withoutOurMember(garbageDetail) })
    ).map(({ text, payload }) => ({
      text: trimJsonWhitespace(text),
      payload: trimJsonWhitespace(payload),
    }));
    return detail.map(({ text, payload }) => {
      const members = Object.entries(withoutKeys(extra, 'detail', 'detail-type', 'TopicArn')).map(
        ([name, value]) => member(name, JSON.stringify(value), space),
      );
      if (detailType !== undefined) {
        members.push(member('detail-type', JSON.stringify(detailType), space));
      }
      members.splice(at % (members.length + 1), 0, member('detail', text, space));
      const body = `{${space}${members.join(`,${space}`)}${space}}`;
      const isEvent = typeof detailType === 'string';
      return sqsCase(
        'sqs eventbridge envelope',
        { body, messageAttributes: recordAttributes, traceHeader: undefined },
        common,
        { payload: isEvent ? payload : withoutOurMember(body), planted: isEvent ? ids : undefined },
      );
    });
  });

// ---------------------------------------------------------------------------------------------
// SNS, Kinesis, EventBridge, DynamoDB Streams
// ---------------------------------------------------------------------------------------------

const snsCase: fc.Arbitrary<RecordCase> = fc
  .tuple(
    fc.option(spanIds, { nil: undefined }),
    fc.oneof(bodyText, anyField),
    attributeMap,
    jsonishObject,
    fc.boolean(),
  )
  .map(([ids, message, attributes, extra, snsIsObject]) => {
    const MessageAttributes = ids
      ? {
          ...(typeof attributes === 'object' && attributes !== null ? attributes : {}),
          traceparent: { Type: 'String', Value: traceparentOfIds(ids) },
        }
      : attributes;
    const sns = snsIsObject
      ? {
          ...withoutKeys(extra, 'Message', 'MessageAttributes'),
          Message: message,
          MessageAttributes,
        }
      : message;
    return {
      label: 'sns',
      source: 'aws:sns' as const,
      record: { EventSource: 'aws:sns', EventVersion: '1.0', Sns: sns },
      payload: snsIsObject && typeof message === 'string' ? withoutOurMember(message) : '',
      planted: snsIsObject ? ids : undefined,
      failureId: undefined,
      messageGroupId: undefined,
    };
  });

const sequenceNumber = fc.option(fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String), {
  nil: undefined,
  freq: 8,
});

const kinesisCase: fc.Arbitrary<RecordCase> = fc
  .tuple(
    fc.option(spanIds, { nil: undefined }),
    fc.oneof(
      { weight: 4, arbitrary: dataBytes.map((bytes) => Buffer.from(bytes).toString('base64')) },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
      { weight: 1, arbitrary: anyField },
    ),
    jsonishObject,
    sequenceNumber,
    fc.constantFrom('', ' '),
  )
  .map(([ids, garbageData, extra, sequence, space]) => {
    const data = ids
      ? Buffer.from(bodyWithOurMember(ids, extra, space)).toString('base64')
      : garbageData;
    const bytes = new Uint8Array(Buffer.from(typeof data === 'string' ? data : '', 'base64'));
    return {
      label: 'kinesis',
      source: 'aws:kinesis' as const,
      record: {
        eventSource: 'aws:kinesis',
        eventID: `shardId-000000000006:${sequence ?? ''}`,
        kinesis: {
          ...withoutKeys(extra, 'data', 'sequenceNumber'),
          data,
          ...(sequence === undefined ? {} : { sequenceNumber: sequence }),
          approximateArrivalTimestamp: 1545084650.987,
        },
      },
      payload: ids
        ? new Uint8Array(Buffer.from(`${space}${JSON.stringify(extra)}`))
        : kinesisPayloadOracle(bytes),
      planted: ids,
      failureId: sequence,
      messageGroupId: undefined,
    };
  });

const eventBridgeCase: fc.Arbitrary<RecordCase> = fc
  .tuple(
    fc.option(spanIds, { nil: undefined }),
    fc.oneof(
      { weight: 4, arbitrary: jsonish },
      { weight: 1, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        // Well within what JSON.stringify serialises; the edge moves with the depth of the stack
        // it is called from. Deeper details have a test of their own.
        arbitrary: fc
          .integer({ min: 500, max: 2000 })
          .map((depth) => ({ deep: JSON.parse(deepJsonText(depth)) as unknown })),
      },
    ),
    jsonishObject,
  )
  .map(([ids, garbageDetail, extra]) => {
    const detail = ids
      ? {
          ...(typeof garbageDetail === 'object' && garbageDetail !== null
            ? withoutKeys(garbageDetail as Record<string, unknown>, '_otel')
            : {}),
          _otel: { traceparent: traceparentOfIds(ids) },
        }
      : garbageDetail;
    return {
      label: 'eventbridge',
      source: 'aws.events' as const,
      record: {
        ...withoutKeys(extra, 'eventSource', 'EventSource'),
        version: '0',
        'detail-type': 'OrderPlaced',
        source: 'com.example.orders',
        ...(detail === undefined ? {} : { detail }),
      },
      payload: serialisedWithoutOurMember(detail ?? null),
      planted: ids,
      failureId: undefined,
      messageGroupId: undefined,
    };
  });

/** What tracebridge reads as a DynamoDB `_otel` attribute: a map of strings, or JSON in `S`. */
function dynamoDbTextMap(attribute: unknown): Record<string, unknown> | undefined {
  if (typeof attribute !== 'object' || attribute === null || Array.isArray(attribute)) {
    return undefined;
  }
  const fields = attribute as Record<string, unknown>;
  const map = Object.hasOwn(fields, 'M') ? fields.M : undefined;
  if (typeof map === 'object' && map !== null && !Array.isArray(map)) {
    return Object.fromEntries(
      Object.entries(map as Record<string, unknown>).map(([name, value]) => {
        const text =
          typeof value === 'object' && value !== null && Object.hasOwn(value, 'S')
            ? (value as { S: unknown }).S
            : undefined;
        return [name, typeof text === 'string' ? text : undefined];
      }),
    );
  }
  const text = Object.hasOwn(fields, 'S') ? fields.S : undefined;
  if (typeof text !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function dynamoDbPayloadOracle(change: unknown): string {
  const fields = (typeof change === 'object' && change !== null ? change : {}) as Record<
    string,
    unknown
  >;
  const image =
    (Object.hasOwn(fields, 'NewImage') ? fields.NewImage : undefined) ??
    (Object.hasOwn(fields, 'OldImage') ? fields.OldImage : undefined);
  if (typeof image !== 'object' || image === null || Array.isArray(image)) return '{}';
  const otel = Object.hasOwn(image, '_otel') ? (image as Record<string, unknown>)._otel : undefined;
  const textMap = dynamoDbTextMap(otel);
  const ours =
    textMap !== undefined && Object.values(textMap).every((value) => typeof value === 'string');
  try {
    return JSON.stringify(image, function (this: unknown, name: string, value: unknown) {
      return ours && this === image && name === '_otel' ? undefined : value;
    });
  } catch {
    return '';
  }
}

const dynamoDbCase: fc.Arbitrary<RecordCase> = fc
  .tuple(
    fc.option(spanIds, { nil: undefined }),
    fc.oneof(jsonishObject, anyField),
    fc.oneof(jsonishObject, anyField),
    fc.oneof(
      jsonish,
      fc.record({ M: fc.oneof(jsonishObject, anyField) }),
      fc.record({ S: fc.oneof(bodyText, anyField) }),
    ),
    sequenceNumber,
  )
  .map(([ids, newImage, oldImage, garbageOtel, sequence]) => {
    const plantedImage = {
      ...(typeof newImage === 'object' && newImage !== null ? newImage : {}),
      _otel: { M: { traceparent: { S: ids ? traceparentOfIds(ids) : '' } } },
    };
    const image =
      ids !== undefined
        ? plantedImage
        : typeof newImage === 'object' && newImage !== null && !Array.isArray(newImage)
          ? { ...newImage, _otel: garbageOtel }
          : newImage;
    const change = {
      ...(image === undefined ? {} : { NewImage: image }),
      ...(oldImage === undefined ? {} : { OldImage: oldImage }),
      ...(sequence === undefined ? {} : { SequenceNumber: sequence }),
    };
    return {
      label: 'dynamodb',
      source: 'aws:dynamodb' as const,
      record: { eventSource: 'aws:dynamodb', eventID: '1', dynamodb: change },
      payload: dynamoDbPayloadOracle(change),
      planted: ids,
      failureId: sequence,
      messageGroupId: undefined,
    };
  });

/** A record of no known source: any JSON value whose keys name no source. */
const unknownCase: fc.Arbitrary<RecordCase> = fc.oneof(jsonish, jsonishObject).map((record) => ({
  label: 'unknown',
  source: 'unknown' as const,
  record,
  payload: record === undefined ? '' : JSON.stringify(record),
  planted: undefined,
  failureId: undefined,
  messageGroupId: undefined,
}));

/** Every generator by name, so each property can cover one source or all of them. */
export const recordCases = {
  sqsGarbage,
  sqsPlanted,
  sqsPlantedInBody,
  sqsSnsEnvelope,
  sqsEventBridgeEnvelope,
  sns: snsCase,
  kinesis: kinesisCase,
  eventBridge: eventBridgeCase,
  dynamoDb: dynamoDbCase,
  unknown: unknownCase,
} as const;

export const anyRecordCase: fc.Arbitrary<RecordCase> = fc.oneof(...Object.values(recordCases));
