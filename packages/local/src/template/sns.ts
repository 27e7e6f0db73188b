import type { EventSourceSpec, SubscriptionSpec, TopicSpec } from '../model.js';
import { checkProperties, templateError, warn } from './context.js';
import { isRecord } from '../json.js';
import type { PropertyRules, ReadContext, ResourceEntry } from './context.js';
import { MAX_TOPIC_NAME_LENGTH } from './limits.js';
import { readFlag, readList, readText } from './properties.js';
import { readTarget } from './references.js';

const TOPIC_NAME = /^[A-Za-z0-9_-]+(\.fifo)?$/; // SNS CreateTopic: Name pattern
const FIFO_SUFFIX = '.fifo';

const TOPIC_RULES: PropertyRules = {
  read: ['TopicName', 'Subscription'],
  // Display names, tags, encryption and delivery logging change nothing in what arrives.
  inert: ['DisplayName', 'Tags', 'KmsMasterKeyId', 'DeliveryStatusLogging', 'SignatureVersion'],
  defaults: { FifoTopic: false, ContentBasedDeduplication: false },
};

const SUBSCRIPTION_RULES: PropertyRules = {
  read: ['TopicArn', 'Protocol', 'Endpoint', 'RawMessageDelivery'],
  // There is one region locally, and the role is for Firehose endpoints.
  inert: ['Region', 'SubscriptionRoleArn'],
};

/** What subscriptions add to the architecture: deliveries to queues, and to functions. */
export interface Deliveries {
  readonly subscriptions: readonly SubscriptionSpec[];
  readonly eventSources: readonly EventSourceSpec[];
}

/**
 * Reads an `AWS::SNS::Topic`, except its inline subscriptions (see
 * {@link readInlineSubscriptions}).
 *
 * @throws {@link TemplateError} for a name SNS refuses.
 *
 * @example
 * ```ts
 * const topic = readTopic(ctx, 'OrdersTopic', entry); // { logicalId: 'OrdersTopic', topicName: 'OrdersTopic' }
 * ```
 */
export function readTopic(ctx: ReadContext, id: string, entry: ResourceEntry): TopicSpec {
  const properties = entry.properties;
  checkProperties(ctx, id, properties, TOPIC_RULES);
  const fifo = readFlag(ctx, properties.FifoTopic, `${id}.FifoTopic`, false);
  const where = `${id}.TopicName`;
  const topicName = readText(ctx, properties.TopicName, where) ?? id + (fifo ? FIFO_SUFFIX : '');
  if (!TOPIC_NAME.test(topicName) || topicName.length > MAX_TOPIC_NAME_LENGTH) {
    throw templateError(
      ctx,
      where,
      `${topicName} is not a valid topic name`,
      `Use up to ${MAX_TOPIC_NAME_LENGTH} letters, digits, hyphens and underscores`,
    );
  }
  return { logicalId: id, topicName };
}

/**
 * Reads the `Subscription` list of an `AWS::SNS::Topic`. Inline subscriptions cannot set
 * attributes, so deliveries to queues are never raw.
 *
 * @example
 * ```ts
 * const { subscriptions, eventSources } = readInlineSubscriptions(ctx, 'OrdersTopic', entry);
 * ```
 */
export function readInlineSubscriptions(
  ctx: ReadContext,
  id: string,
  entry: ResourceEntry,
): Deliveries {
  const where = `${id}.Subscription`;
  const subscriptions: SubscriptionSpec[] = [];
  const eventSources: EventSourceSpec[] = [];
  for (const [index, item] of (
    readList(ctx, entry.properties.Subscription, where) ?? []
  ).entries()) {
    const at = `${where}[${index}]`;
    if (!isRecord(item)) {
      throw templateError(ctx, at, 'is not a map', 'Write Protocol and Endpoint under it');
    }
    checkProperties(ctx, at, item, { read: ['Protocol', 'Endpoint'], inert: [] });
    const delivery = readDelivery(ctx, at, id, item, false);
    if (delivery?.kind === 'sqs-subscription') subscriptions.push(delivery.spec);
    else if (delivery !== undefined) eventSources.push(delivery.spec);
  }
  return { subscriptions, eventSources };
}

/**
 * Reads an `AWS::SNS::Subscription` to a queue (`sqs`) or a function (`lambda`); other
 * protocols deliver nothing locally and get a warning.
 *
 * @throws {@link TemplateError} when the topic or the endpoint is not in the template.
 *
 * @example
 * ```ts
 * const { subscriptions, eventSources } = readSubscription(ctx, 'OrdersSubscription', entry);
 * ```
 */
export function readSubscription(ctx: ReadContext, id: string, entry: ResourceEntry): Deliveries {
  const properties = entry.properties;
  checkProperties(ctx, id, properties, SUBSCRIPTION_RULES);
  const where = `${id}.TopicArn`;
  if (properties.TopicArn === undefined) {
    throw templateError(ctx, where, 'is missing', 'Point it at the topic with !Ref Topic');
  }
  const topic = readTarget(ctx, properties.TopicArn, where, {
    kinds: ['topic'],
    otherwise: 'the subscription is ignored',
  });
  if (topic === undefined) return { subscriptions: [], eventSources: [] };
  const raw = readFlag(ctx, properties.RawMessageDelivery, `${id}.RawMessageDelivery`, false);
  const delivery = readDelivery(ctx, id, topic.id, properties, raw);
  return {
    subscriptions: delivery?.kind === 'sqs-subscription' ? [delivery.spec] : [],
    eventSources: delivery?.kind === 'lambda-subscription' ? [delivery.spec] : [],
  };
}

type Delivery =
  | { readonly kind: 'sqs-subscription'; readonly spec: SubscriptionSpec }
  | { readonly kind: 'lambda-subscription'; readonly spec: EventSourceSpec };

function readDelivery(
  ctx: ReadContext,
  where: string,
  topic: string,
  properties: Readonly<Record<string, unknown>>,
  rawMessageDelivery: boolean,
): Delivery | undefined {
  const protocol = readText(ctx, properties.Protocol, `${where}.Protocol`);
  if (protocol !== 'sqs' && protocol !== 'lambda') {
    const what =
      protocol === undefined ? 'a subscription without Protocol' : `protocol ${protocol}`;
    warn(
      ctx,
      where,
      `${what} is not run locally, only sqs and lambda are; the subscription is ignored`,
    );
    return undefined;
  }
  const endpointWhere = `${where}.Endpoint`;
  if (properties.Endpoint === undefined) {
    throw templateError(
      ctx,
      endpointWhere,
      'is missing',
      'Point it at the subscriber with !GetAtt LogicalId.Arn',
    );
  }
  const target = readTarget(ctx, properties.Endpoint, endpointWhere, {
    kinds: [protocol === 'sqs' ? 'queue' : 'function'],
    otherwise: 'the subscription is ignored',
  });
  if (target === undefined) return undefined;
  return protocol === 'sqs'
    ? { kind: 'sqs-subscription', spec: { topic, queue: target.id, rawMessageDelivery } }
    : { kind: 'lambda-subscription', spec: { kind: 'sns', function: target.id, topic } };
}
