import { basename, dirname, resolve } from 'node:path';

import type {
  Architecture,
  EventSourceSpec,
  FunctionSpec,
  QueueSpec,
  StreamSpec,
  SubscriptionSpec,
  TopicSpec,
} from '../model.js';
import { INERT_TYPES, LOCAL_RESOURCE_TYPES, SAM_FUNCTION, WIRING_TYPES } from './catalog.js';
import { templateError, warn } from './context.js';
import { isRecord } from '../json.js';
import type { ReadContext, ResourceEntry } from './context.js';
import { TemplateError } from './errors.js';
import { readEventSourceMapping, readSamEvents } from './event-sources.js';
import { functionName, readFunction, readFunctionCode } from './functions.js';
import type { FunctionCode } from './functions.js';
import { mergeGlobals } from './globals.js';
import { readStream } from './kinesis.js';
import { MAX_FIFO_BATCH_SIZE } from './limits.js';
import { loadTemplate } from './parse.js';
import { readMap } from './properties.js';
import { readSections } from './sections.js';
import { readInlineSubscriptions, readSubscription, readTopic } from './sns.js';
import { readQueue, readRedrive } from './sqs.js';
import type { QueueBasics } from './sqs.js';

/** Options of {@link readTemplate}. */
export interface ReadTemplateOptions {
  /** What `AWS::StackName` gives. Default: the name of the template's folder. */
  readonly stackName?: string;
}

/**
 * Reads a SAM or CloudFormation template (YAML or JSON) into the {@link Architecture} the
 * local runtime runs. References to other resources stay symbolic (see `resolveValue`);
 * everything the runtime does not run is named in `warnings`.
 *
 * @throws {@link TemplateError} when the file is missing or malformed, a reference points at
 *   nothing, or a value would fail the deployment on AWS.
 *
 * @example
 * ```ts
 * const architecture = await readTemplate('examples/seed-architecture/template.yaml');
 * for (const warning of architecture.warnings) console.warn(warning);
 * ```
 */
export async function readTemplate(
  path: string,
  options: ReadTemplateOptions = {},
): Promise<Architecture> {
  const templatePath = resolve(path);
  const folder = dirname(templatePath);
  const document = await loadTemplate(path);
  if (!isRecord(document) || !isRecord(document.Resources)) {
    throw new TemplateError(
      `${path}: is not a CloudFormation template: it has no Resources map. Declare the resources under Resources.`,
    );
  }
  const parameters = new Map<string, string>();
  const resources = new Map<string, ResourceEntry>();
  const generated = new Set<string>();
  const ctx: ReadContext = {
    file: path,
    folder,
    warnings: [],
    parameters,
    resources,
    generated,
    names: new Map(),
  };
  const sections = readSections(ctx, document, parameters, options.stackName ?? basename(folder));

  for (const [id, definition] of Object.entries(document.Resources)) {
    const entry = indexResource(ctx, id, definition, sections.functionGlobals);
    if (entry.type.startsWith('AWS::Serverless::') && !sections.sam) {
      throw templateError(
        ctx,
        id,
        `${entry.type} needs Transform: AWS::Serverless-2016-10-31`,
        'Add that Transform at the top of the template',
      );
    }
    resources.set(id, entry);
    for (const generatedId of samGeneratedIds(id, entry)) generated.add(generatedId);
  }

  const codes = new Map<string, FunctionCode>();
  for (const [id, entry] of resources) {
    if (entry.kind !== 'function') continue;
    const code = await readFunctionCode(ctx, id, entry);
    if (code === undefined) resources.set(id, { ...entry, kind: undefined });
    else codes.set(id, code);
  }

  const { queues, streams, topics } = readNamedResources(ctx);
  const queueSpecs: QueueSpec[] = [];
  for (const [id, entry] of resources) {
    const queue = queues.get(id);
    if (queue !== undefined) {
      queueSpecs.push({ ...queue, redrive: readRedrive(ctx, id, entry, queues) });
    }
  }
  return {
    templatePath,
    queues: queueSpecs,
    streams,
    topics,
    ...(await readWiring(ctx, codes, queues)),
    warnings: ctx.warnings,
  };
}

function indexResource(
  ctx: ReadContext,
  id: string,
  definition: unknown,
  functionGlobals: Readonly<Record<string, unknown>>,
): ResourceEntry {
  if (!isRecord(definition) || typeof definition.Type !== 'string') {
    throw templateError(ctx, id, 'has no Type', 'Give it a Type, e.g. AWS::SQS::Queue');
  }
  const type = definition.Type;
  if (definition.Condition !== undefined) {
    warn(ctx, `${id}.Condition`, 'not supported locally; the resource is created unconditionally');
  }
  const own = readMap(ctx, definition.Properties, `${id}.Properties`) ?? {};
  const kind = LOCAL_RESOURCE_TYPES[type];
  if (kind === undefined && !WIRING_TYPES.includes(type) && !INERT_TYPES.includes(type)) {
    warn(ctx, id, `resource type ${type} is not run locally; it is ignored`);
  }
  const properties = type === SAM_FUNCTION ? mergeGlobals(functionGlobals, own) : own;
  return { type, kind, properties, definition };
}

/** Resources SAM adds for a function: references to them are valid but cannot run locally. */
function samGeneratedIds(id: string, entry: ResourceEntry): string[] {
  if (entry.type !== SAM_FUNCTION) return [];
  const events = isRecord(entry.properties.Events) ? Object.keys(entry.properties.Events) : [];
  return [`${id}Role`, `${id}.Alias`, `${id}.Version`, ...events.map((event) => id + event)];
}

/** Queues, streams and topics, and the physical names every reference by ARN needs. */
function readNamedResources(ctx: ReadContext) {
  const queues = new Map<string, QueueBasics>();
  const streams: StreamSpec[] = [];
  const topics: TopicSpec[] = [];
  for (const [id, entry] of ctx.resources) {
    const kind = LOCAL_RESOURCE_TYPES[entry.type];
    let name: string | undefined;
    if (kind === 'function') {
      name = functionName(ctx, id, entry);
    } else if (kind === 'queue') {
      const queue = readQueue(ctx, id, entry);
      queues.set(id, queue);
      name = queue.queueName;
    } else if (kind === 'stream') {
      const stream = readStream(ctx, id, entry);
      streams.push(stream);
      name = stream.streamName;
    } else if (kind === 'topic') {
      const topic = readTopic(ctx, id, entry);
      topics.push(topic);
      name = topic.topicName;
    }
    if (kind !== undefined && name !== undefined) claimName(ctx, id, kind, name);
  }
  return { queues, streams, topics };
}

function claimName(ctx: ReadContext, id: string, kind: string, name: string): void {
  for (const [other, otherName] of ctx.names) {
    const otherType = ctx.resources.get(other)?.type ?? '';
    if (otherName === name && LOCAL_RESOURCE_TYPES[otherType] === kind) {
      throw templateError(
        ctx,
        id,
        `has the same name, ${name}, as ${other}`,
        `Give each ${kind} its own name`,
      );
    }
  }
  ctx.names.set(id, name);
}

/** Functions, and everything that delivers to them or between queues and topics. */
async function readWiring(
  ctx: ReadContext,
  codes: ReadonlyMap<string, FunctionCode>,
  queues: ReadonlyMap<string, QueueBasics>,
): Promise<Pick<Architecture, 'functions' | 'eventSources' | 'subscriptions'>> {
  const functions: FunctionSpec[] = [];
  const eventSources: EventSourceSpec[] = [];
  const subscriptions: SubscriptionSpec[] = [];
  for (const [id, entry] of ctx.resources) {
    const code = codes.get(id);
    if (code !== undefined) {
      functions.push(await readFunction(ctx, id, entry, code));
      if (entry.type === SAM_FUNCTION) eventSources.push(...readSamEvents(ctx, id, entry));
    } else if (entry.type === 'AWS::Lambda::EventSourceMapping') {
      const source = readEventSourceMapping(ctx, id, entry);
      if (source !== undefined) eventSources.push(source);
    } else if (entry.type === 'AWS::SNS::Topic' || entry.type === 'AWS::SNS::Subscription') {
      const deliveries =
        entry.type === 'AWS::SNS::Topic'
          ? readInlineSubscriptions(ctx, id, entry)
          : readSubscription(ctx, id, entry);
      subscriptions.push(...deliveries.subscriptions);
      eventSources.push(...deliveries.eventSources);
    }
  }
  for (const source of eventSources) {
    if (source.kind === 'sqs') checkQueueSource(ctx, source, functions, queues);
  }
  return { functions, eventSources, subscriptions };
}

// Lambda refuses these SQS event sources when it creates the mapping.
function checkQueueSource(
  ctx: ReadContext,
  source: Extract<EventSourceSpec, { kind: 'sqs' }>,
  functions: readonly FunctionSpec[],
  queues: ReadonlyMap<string, QueueBasics>,
): void {
  const queue = queues.get(source.queue);
  const fn = functions.find((candidate) => candidate.logicalId === source.function);
  if (queue === undefined || fn === undefined) return;
  if (queue.fifo && source.batchSize > MAX_FIFO_BATCH_SIZE) {
    throw templateError(
      ctx,
      `${fn.logicalId} (event source from ${queue.logicalId})`,
      `BatchSize ${source.batchSize} is above ${MAX_FIFO_BATCH_SIZE}, the most Lambda takes from a FIFO queue`,
      `Set BatchSize to ${MAX_FIFO_BATCH_SIZE} or less`,
    );
  }
  if (queue.visibilityTimeoutSeconds < fn.timeoutSeconds) {
    throw templateError(
      ctx,
      `${fn.logicalId} (event source from ${queue.logicalId})`,
      `the function's Timeout (${fn.timeoutSeconds} s) is longer than the queue's VisibilityTimeout (${queue.visibilityTimeoutSeconds} s), which Lambda refuses`,
      `Raise ${queue.logicalId}.VisibilityTimeout to at least ${fn.timeoutSeconds}, or lower the Timeout`,
    );
  }
}
