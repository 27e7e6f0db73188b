import type { EventSourceSpec } from '../model.js';
import { checkProperties, templateError, warn } from './context.js';
import { isRecord } from '../json.js';
import type { PropertyRules, ReadContext, ResourceEntry } from './context.js';
import {
  DEFAULT_BATCHING_WINDOW_SECONDS,
  DEFAULT_KINESIS_BATCH_SIZE,
  DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
  DEFAULT_SQS_BATCH_SIZE,
  MAX_BATCH_SIZE,
  MAX_BATCHING_WINDOW_SECONDS,
  MAX_MAXIMUM_RETRY_ATTEMPTS,
  MAX_SQS_BATCH_SIZE_WITHOUT_WINDOW,
} from './limits.js';
import { readFlag, readInteger, readMap, readText, readTextList } from './properties.js';
import { readTarget } from './references.js';
import type { Target } from './references.js';

const REPORT_BATCH_ITEM_FAILURES = 'ReportBatchItemFailures';

// Shared by SAM events and AWS::Lambda::EventSourceMapping, which use the same names.
const MAPPING_SETTINGS = [
  'BatchSize',
  'Enabled',
  'FunctionResponseTypes',
  'MaximumBatchingWindowInSeconds',
];
// Encryption of filter criteria and metrics change nothing in what the function receives.
const MAPPING_INERT = ['KmsKeyArn', 'MetricsConfig'];
const KINESIS_SETTINGS = ['StartingPosition', 'StartingPositionTimestamp', 'MaximumRetryAttempts'];
// Kinesis settings that need no warning while they keep Lambda's default behaviour.
const KINESIS_DEFAULTS = {
  BisectBatchOnFunctionError: false,
  ParallelizationFactor: 1,
  MaximumRecordAgeInSeconds: -1,
  TumblingWindowInSeconds: 0,
};

const SAM_RULES = {
  SQS: { read: ['Queue', ...MAPPING_SETTINGS], inert: MAPPING_INERT },
  Kinesis: {
    read: ['Stream', ...MAPPING_SETTINGS, ...KINESIS_SETTINGS],
    inert: MAPPING_INERT,
    defaults: KINESIS_DEFAULTS,
  },
  // There is one region locally.
  SNS: { read: ['Topic'], inert: ['Region'] },
} as const satisfies Record<string, PropertyRules>;

const MAPPING_RULES = {
  queue: {
    read: ['FunctionName', 'EventSourceArn', ...MAPPING_SETTINGS],
    inert: [...MAPPING_INERT, 'Tags'],
  },
  stream: {
    read: ['FunctionName', 'EventSourceArn', ...MAPPING_SETTINGS, ...KINESIS_SETTINGS],
    inert: [...MAPPING_INERT, 'Tags'],
    defaults: KINESIS_DEFAULTS,
  },
} as const satisfies Record<string, PropertyRules>;

/**
 * Reads the SAM `Events` of a function that runs locally: `SQS`, `Kinesis` and `SNS`, with
 * Lambda's defaults. Other event types get a warning.
 *
 * @throws {@link TemplateError} when an event points at a queue, stream or topic that is
 *   not in the template, or a setting is out of Lambda's bounds.
 *
 * @example
 * ```ts
 * const sources = readSamEvents(ctx, 'SqsConsumerFunction', entry);
 * ```
 */
export function readSamEvents(
  ctx: ReadContext,
  id: string,
  entry: ResourceEntry,
): EventSourceSpec[] {
  const sources: EventSourceSpec[] = [];
  for (const [name, event] of Object.entries(
    readMap(ctx, entry.properties.Events, `${id}.Events`) ?? {},
  )) {
    const where = `${id}.Events.${name}`;
    if (!isRecord(event)) {
      throw templateError(ctx, where, 'is not a map', 'Write Type and Properties under it');
    }
    const type = readText(ctx, event.Type, `${where}.Type`);
    if (type !== 'SQS' && type !== 'Kinesis' && type !== 'SNS') {
      if (type === undefined) {
        throw templateError(ctx, `${where}.Type`, 'is missing', 'Set Type, e.g. SQS');
      }
      warn(ctx, where, `event type ${type} is not run locally; the event is ignored`);
      continue;
    }
    const at = `${where}.Properties`;
    const properties = readMap(ctx, event.Properties, at) ?? {};
    checkProperties(ctx, at, properties, SAM_RULES[type]);
    const source = readSamSource(ctx, at, type, properties);
    if (source === undefined) continue;
    sources.push(
      source.kind === 'topic'
        ? { kind: 'sns', function: id, topic: source.id }
        : settings(ctx, at, id, source, properties),
    );
  }
  return sources;
}

function readSamSource(
  ctx: ReadContext,
  where: string,
  type: keyof typeof SAM_RULES,
  properties: Readonly<Record<string, unknown>>,
): Target | undefined {
  const key = { SQS: 'Queue', Kinesis: 'Stream', SNS: 'Topic' }[type];
  const kind = ({ SQS: 'queue', Kinesis: 'stream', SNS: 'topic' } as const)[type];
  if (properties[key] === undefined) {
    const written = kind === 'topic' ? `!Ref ${key}` : `!GetAtt ${key}.Arn`;
    throw templateError(
      ctx,
      `${where}.${key}`,
      'is missing',
      `Point it at the ${kind} with ${written}`,
    );
  }
  return readTarget(ctx, properties[key], `${where}.${key}`, {
    kinds: [kind],
    otherwise: 'the event is ignored',
  });
}

/**
 * Reads an `AWS::Lambda::EventSourceMapping` from an SQS queue or a Kinesis stream of the
 * template; `undefined`, with a warning, when its function or source does not run locally.
 *
 * @throws {@link TemplateError} when the function or the source is not in the template, or a
 *   setting is out of Lambda's bounds.
 *
 * @example
 * ```ts
 * const source = readEventSourceMapping(ctx, 'OrdersMapping', entry);
 * ```
 */
export function readEventSourceMapping(
  ctx: ReadContext,
  id: string,
  entry: ResourceEntry,
): EventSourceSpec | undefined {
  const properties = entry.properties;
  for (const key of ['FunctionName', 'EventSourceArn']) {
    if (properties[key] === undefined) {
      throw templateError(
        ctx,
        `${id}.${key}`,
        'is missing',
        `Set ${key}, e.g. with !GetAtt LogicalId.Arn`,
      );
    }
  }
  const otherwise = 'the event source mapping is ignored';
  const fn = readTarget(ctx, properties.FunctionName, `${id}.FunctionName`, {
    kinds: ['function'],
    functionName: true,
    otherwise,
  });
  const source = readTarget(ctx, properties.EventSourceArn, `${id}.EventSourceArn`, {
    kinds: ['queue', 'stream'],
    otherwise,
  });
  if (fn === undefined || source === undefined) return undefined;
  checkProperties(ctx, id, properties, MAPPING_RULES[source.kind === 'queue' ? 'queue' : 'stream']);
  return settings(ctx, id, fn.id, source, properties);
}

/** The settings of an SQS or Kinesis event source, with Lambda's defaults. */
function settings(
  ctx: ReadContext,
  where: string,
  fn: string,
  source: Target,
  properties: Readonly<Record<string, unknown>>,
): EventSourceSpec {
  const sqs = source.kind === 'queue';
  const batchSize = readInteger(
    ctx,
    properties.BatchSize,
    `${where}.BatchSize`,
    sqs ? DEFAULT_SQS_BATCH_SIZE : DEFAULT_KINESIS_BATCH_SIZE,
    { min: 1, max: MAX_BATCH_SIZE },
  );
  const window = readInteger(
    ctx,
    properties.MaximumBatchingWindowInSeconds,
    `${where}.MaximumBatchingWindowInSeconds`,
    DEFAULT_BATCHING_WINDOW_SECONDS,
    { min: 0, max: MAX_BATCHING_WINDOW_SECONDS },
  );
  if (sqs && batchSize > MAX_SQS_BATCH_SIZE_WITHOUT_WINDOW && window < 1) {
    throw templateError(
      ctx,
      `${where}.BatchSize`,
      `is ${batchSize}, and Lambda needs a batching window for more than ${MAX_SQS_BATCH_SIZE_WITHOUT_WINDOW} messages`,
      'Set MaximumBatchingWindowInSeconds to 1 or more',
    );
  }
  const common = {
    function: fn,
    batchSize,
    maximumBatchingWindowSeconds: window,
    reportBatchItemFailures: reportsItemFailures(
      ctx,
      `${where}.FunctionResponseTypes`,
      properties.FunctionResponseTypes,
    ),
    enabled: readFlag(ctx, properties.Enabled, `${where}.Enabled`, true),
  };
  if (sqs) return { kind: 'sqs', queue: source.id, ...common };
  return {
    kind: 'kinesis',
    stream: source.id,
    ...common,
    startingPosition: startingPosition(
      ctx,
      `${where}.StartingPosition`,
      properties.StartingPosition,
    ),
    maximumRetryAttempts: readInteger(
      ctx,
      properties.MaximumRetryAttempts,
      `${where}.MaximumRetryAttempts`,
      DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
      { min: -1, max: MAX_MAXIMUM_RETRY_ATTEMPTS },
    ),
  };
}

function reportsItemFailures(ctx: ReadContext, where: string, raw: unknown): boolean {
  const types = readTextList(ctx, raw, where);
  for (const type of types) {
    if (type !== REPORT_BATCH_ITEM_FAILURES) {
      throw templateError(
        ctx,
        where,
        `${type} is not a response type`,
        `Use ${REPORT_BATCH_ITEM_FAILURES}`,
      );
    }
  }
  return types.length > 0;
}

// Lambda requires a starting position for streams; it has no default.
function startingPosition(
  ctx: ReadContext,
  where: string,
  raw: unknown,
): 'TRIM_HORIZON' | 'LATEST' {
  const position = readText(ctx, raw, where);
  if (position === 'TRIM_HORIZON' || position === 'LATEST') return position;
  if (position === 'AT_TIMESTAMP') {
    // A local stream holds only what this run wrote, all of it after any past timestamp.
    warn(ctx, where, 'AT_TIMESTAMP is read locally as TRIM_HORIZON');
    return 'TRIM_HORIZON';
  }
  throw templateError(
    ctx,
    where,
    position === undefined ? 'is missing' : `is ${position}`,
    'Set StartingPosition to TRIM_HORIZON, LATEST or AT_TIMESTAMP',
  );
}
