import { KIND_TYPES, LOCAL_RESOURCE_TYPES } from './catalog.js';
import type { ResourceKind } from './catalog.js';
import { templateError, warn } from './context.js';
import type { ReadContext } from './context.js';
import { convert } from './intrinsics.js';

/** A resource that an event source, a subscription or a redrive policy points at. */
export interface Target {
  readonly id: string;
  readonly kind: ResourceKind;
}

/** Which resources a property may point at, and how it may name them. */
export interface TargetRule {
  readonly kinds: readonly ResourceKind[];
  /** The property also takes a function's name (`FunctionName`), not only its ARN. */
  readonly functionName?: boolean;
  /** What happens when the target does not run locally, for the warning. */
  readonly otherwise: string;
}

// arn:<partition>:<service>:<region>:<account>:<resource> (AWS ARN format)
const ARN = /^arn:[\w-]+:([\w-]+):[\w-]*:\d*:(.+)$/;
const ARN_SERVICES: Readonly<Record<string, ResourceKind>> = {
  sqs: 'queue',
  kinesis: 'stream',
  sns: 'topic',
  lambda: 'function',
};

/**
 * Reads a property that points at another resource of the template by ARN (`!GetAtt X.Arn`,
 * `!Ref Topic`, or a literal ARN or function name of a resource the template defines).
 * `undefined`, with a warning, when the target does not run locally.
 *
 * @throws {@link TemplateError} when the target is missing, of the wrong type, or named
 *   in a way AWS does not accept (`!Ref Queue` gives a URL, not an ARN).
 *
 * @example
 * ```ts
 * const queue = readTarget(ctx, properties.Queue, 'Fn.Events.Orders.Properties.Queue', {
 *   kinds: ['queue'],
 *   otherwise: 'the event is ignored',
 * });
 * ```
 */
export function readTarget(
  ctx: ReadContext,
  raw: unknown,
  where: string,
  rule: TargetRule,
): Target | undefined {
  const expected = rule.kinds.map((kind) => KIND_TYPES[kind]).join(' or ');
  const converted = convert(ctx, raw, where);
  if (!converted.ok) {
    warn(ctx, where, `${converted.reason}; ${rule.otherwise}`);
    return undefined;
  }
  const value = converted.value;
  if (typeof value === 'string') return byLiteral(ctx, value, where, rule);
  if (typeof value !== 'object' || !('ref' in value || 'getAtt' in value)) {
    throw templateError(ctx, where, `must point at a ${expected}`, 'Use !GetAtt LogicalId.Arn');
  }
  const id = 'ref' in value ? value.ref : value.getAtt[0];
  const kind = ctx.resources.get(id)?.kind;
  if (kind === undefined || !rule.kinds.includes(kind)) {
    const type = ctx.resources.get(id)?.type ?? 'unknown';
    throw templateError(ctx, where, `points at ${id} (${type})`, `Point it at a ${expected}`);
  }
  const arnAttribute = kind === 'topic' ? 'TopicArn' : 'Arn';
  const accepted =
    'getAtt' in value
      ? value.getAtt[1] === arnAttribute
      : kind === 'topic' || (kind === 'function' && rule.functionName === true);
  if (!accepted) {
    const written = 'ref' in value ? `!Ref ${id}` : `!GetAtt ${value.getAtt.join('.')}`;
    throw templateError(
      ctx,
      where,
      `${written} is not the ARN AWS expects here`,
      `Use !GetAtt ${id}.${arnAttribute}`,
    );
  }
  return { id, kind };
}

function byLiteral(
  ctx: ReadContext,
  text: string,
  where: string,
  rule: TargetRule,
): Target | undefined {
  const match = ARN.exec(text);
  let kind: ResourceKind | undefined;
  let name: string | undefined;
  if (match === null) {
    if (rule.functionName === true) [kind, name] = ['function', text];
  } else {
    const [, service = '', resource = ''] = match;
    kind = ARN_SERVICES[service];
    if (kind === undefined) {
      warn(ctx, where, `points at ${text}, which is not run locally; ${rule.otherwise}`);
      return undefined;
    }
    if (!rule.kinds.includes(kind)) {
      const expected = rule.kinds.map((each) => KIND_TYPES[each]).join(' or ');
      throw templateError(ctx, where, `points at ${text}`, `Point it at a ${expected}`);
    }
    name = physicalName(kind, resource);
  }
  if (kind === undefined || name === undefined) {
    throw templateError(
      ctx,
      where,
      `${JSON.stringify(text)} is not an ARN`,
      'Use !GetAtt LogicalId.Arn',
    );
  }
  for (const [id, entry] of ctx.resources) {
    if (LOCAL_RESOURCE_TYPES[entry.type] !== kind || ctx.names.get(id) !== name) continue;
    if (entry.kind !== undefined) return { id, kind };
    warn(ctx, where, `points at ${id}, which is not run locally; ${rule.otherwise}`);
    return undefined;
  }
  throw templateError(
    ctx,
    where,
    `points at ${KIND_TYPES[kind]} ${name}, which the template does not define`,
    'The local runtime runs only the resources of the template: define it there and refer to it with !GetAtt LogicalId.Arn',
  );
}

/** The name inside the resource part of an ARN (`stream/orders`, `function:f:live`). */
function physicalName(kind: ResourceKind, resource: string): string | undefined {
  if (kind === 'stream') return /^stream\/(.+)$/.exec(resource)?.[1];
  if (kind === 'function') return /^function:([^:]+)/.exec(resource)?.[1];
  return resource;
}
