import { LOCAL_ACCOUNT_ID, localArn } from '../model.js';
import type {
  Architecture,
  FunctionSpec,
  ResolvedResource,
  ResolvedResources,
  TemplateValue,
} from '../model.js';
import { TemplateError } from './errors.js';
import { PLACEHOLDER } from './intrinsics.js';

/** Endpoints of the running emulators, as `RunningEmulator.endpoint` gives them. */
export interface LocalEndpoints {
  readonly sqs: string;
  readonly kinesis: string;
}

/**
 * The physical identity of every resource of the architecture as the emulators know it:
 * what `!Ref` and `!GetAtt` give locally. Queue URLs have the shape fauxqs returns from
 * CreateQueue (`<endpoint>/<account>/<name>`); ARNs use the local region and account.
 *
 * @example
 * ```ts
 * const resources = physicalResources(architecture, { sqs: sqs.endpoint, kinesis: kinesis.endpoint });
 * resources.get('OrdersQueue')?.ref; // 'http://127.0.0.1:4566/000000000000/OrdersQueue'
 * ```
 */
export function physicalResources(
  architecture: Architecture,
  endpoints: LocalEndpoints,
): ResolvedResources {
  const sqsEndpoint = endpoints.sqs.replace(/\/+$/, '');
  const resources = new Map<string, ResolvedResource>();
  for (const fn of architecture.functions) {
    const functionArn = localArn('lambda', `function:${fn.functionName}`);
    resources.set(fn.logicalId, { ref: fn.functionName, attributes: { Arn: functionArn } });
  }
  for (const queue of architecture.queues) {
    const url = `${sqsEndpoint}/${LOCAL_ACCOUNT_ID}/${queue.queueName}`;
    resources.set(queue.logicalId, {
      ref: url,
      attributes: {
        Arn: localArn('sqs', queue.queueName),
        QueueName: queue.queueName,
        QueueUrl: url,
      },
    });
  }
  for (const stream of architecture.streams) {
    const streamArn = localArn('kinesis', `stream/${stream.streamName}`);
    resources.set(stream.logicalId, { ref: stream.streamName, attributes: { Arn: streamArn } });
  }
  for (const topic of architecture.topics) {
    const topicArn = localArn('sns', topic.topicName);
    resources.set(topic.logicalId, {
      ref: topicArn,
      attributes: { TopicArn: topicArn, TopicName: topic.topicName },
    });
  }
  return resources;
}

/**
 * Turns a symbolic template value into its text once the resources exist, as CloudFormation
 * would at deployment: numbers and booleans as text, `!Ref` and `!GetAtt` from `resources`,
 * `!Join` and `!Sub` assembled.
 *
 * @throws {@link TemplateError} for a logical id or attribute `resources` does not have.
 *
 * @example
 * ```ts
 * resolveValue({ getAtt: ['OrdersQueue', 'Arn'] }, resources);
 * // 'arn:aws:sqs:us-east-1:000000000000:OrdersQueue'
 * ```
 */
export function resolveValue(value: TemplateValue, resources: ResolvedResources): string {
  if (typeof value !== 'object') return String(value);
  if ('ref' in value) return lookUp(resources, value.ref).ref;
  if ('getAtt' in value) {
    const [id, attribute] = value.getAtt;
    const resolved = lookUp(resources, id).attributes[attribute];
    if (resolved === undefined) {
      throw new TemplateError(
        `${id} has no attribute ${attribute} locally. Use one of: ${Object.keys(lookUp(resources, id).attributes).join(', ')}.`,
      );
    }
    return resolved;
  }
  if ('join' in value) {
    const [separator, parts] = value.join;
    return parts.map((part) => resolveValue(part, resources)).join(separator);
  }
  return value.sub.replace(PLACEHOLDER, (_whole: string, name: string) => {
    if (name.startsWith('!')) return '${' + name.slice(1) + '}';
    const variable = value.variables[name];
    if (variable === undefined) {
      throw new TemplateError(
        `!Sub '${value.sub}' has no value for \${${name}}. Read the template again.`,
      );
    }
    return resolveValue(variable, resources);
  });
}

function lookUp(resources: ResolvedResources, id: string): ResolvedResource {
  const resource = resources.get(id);
  if (resource === undefined) {
    throw new TemplateError(
      `${id} is not among the running resources (${[...resources.keys()].join(', ')}). Start the resources of the template the value was read from.`,
    );
  }
  return resource;
}

/**
 * A function's environment variables as text, with every reference resolved against the
 * running resources.
 *
 * @throws {@link TemplateError} naming the function and the variable when a reference
 *   cannot be resolved.
 *
 * @example
 * ```ts
 * const env = resolveEnvironment(fn, physicalResources(architecture, endpoints));
 * env.QUEUE_URL; // 'http://127.0.0.1:4566/000000000000/OrdersQueue'
 * ```
 */
export function resolveEnvironment(
  fn: FunctionSpec,
  resources: ResolvedResources,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    try {
      environment[name] = resolveValue(value, resources);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new TemplateError(`${fn.logicalId}.Environment.Variables.${name}: ${reason}`, {
        cause,
      });
    }
  }
  return environment;
}
