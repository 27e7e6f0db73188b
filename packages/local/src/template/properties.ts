import type { TemplateValue } from '../model.js';
import { templateError, warn } from './context.js';
import { isRecord } from '../json.js';
import type { ReadContext } from './context.js';
import { convert, intrinsicName } from './intrinsics.js';

/** Inclusive bounds of a whole-number property. */
export interface Bounds {
  readonly min: number;
  readonly max: number;
}

/**
 * Reads a property that must be known before anything runs (a name, a timeout, a flag) as
 * text: parameters and pseudo parameters are substituted. `undefined` when the property is
 * absent, or when it cannot be evaluated locally, which gets a warning.
 *
 * @example
 * ```ts
 * const queueName = readText(ctx, properties.QueueName, 'OrdersQueue.QueueName');
 * ```
 */
export function readText(ctx: ReadContext, raw: unknown, where: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const converted = convert(ctx, raw, where);
  if (!converted.ok) {
    warn(ctx, where, `${converted.reason}; the property is ignored`);
    return undefined;
  }
  if (typeof converted.value === 'object') {
    warn(
      ctx,
      where,
      `depends on ${dependencies(converted.value).join(', ')}, which exists only once the ` +
        'local runtime runs; the property is ignored',
    );
    return undefined;
  }
  return String(converted.value);
}

/** The logical ids a symbolic value depends on. */
function dependencies(value: TemplateValue): string[] {
  if (typeof value !== 'object') return [];
  if ('ref' in value) return [value.ref];
  if ('getAtt' in value) return [value.getAtt[0]];
  if ('join' in value) return value.join[1].flatMap(dependencies);
  return Object.values(value.variables).flatMap(dependencies);
}

/**
 * Reads a whole-number property within AWS's bounds; `fallback` when it is absent.
 *
 * @throws {@link TemplateError} when it is not a whole number or is out of bounds.
 *
 * @example
 * ```ts
 * const timeout = readInteger(ctx, properties.Timeout, 'Fn.Timeout', 3, { min: 1, max: 900 });
 * ```
 */
export function readInteger(
  ctx: ReadContext,
  raw: unknown,
  where: string,
  fallback: number,
  bounds: Bounds,
): number {
  return readOptionalInteger(ctx, raw, where, bounds) ?? fallback;
}

/**
 * Reads a whole-number property within AWS's bounds; `undefined` when it is absent or
 * cannot be evaluated locally (with a warning).
 *
 * @throws {@link TemplateError} when it is not a whole number or is out of bounds.
 *
 * @example
 * ```ts
 * const count = readOptionalInteger(ctx, policy.maxReceiveCount, where, { min: 1, max: 1000 });
 * ```
 */
export function readOptionalInteger(
  ctx: ReadContext,
  raw: unknown,
  where: string,
  bounds: Bounds,
): number | undefined {
  const text = readText(ctx, raw, where);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text.trim())) {
    throw templateError(
      ctx,
      where,
      `is ${JSON.stringify(text)}, not a whole number`,
      'Write a number',
    );
  }
  const value = Number(text);
  if (value < bounds.min || value > bounds.max) {
    throw templateError(
      ctx,
      where,
      `is ${value}, outside what AWS accepts`,
      `Set it between ${bounds.min} and ${bounds.max}`,
    );
  }
  return value;
}

/**
 * Reads a true/false property (CloudFormation also accepts the strings `"true"` and
 * `"false"`); `fallback` when it is absent.
 *
 * @throws {@link TemplateError} when it is neither.
 *
 * @example
 * ```ts
 * const fifo = readFlag(ctx, properties.FifoQueue, 'OrdersQueue.FifoQueue', false);
 * ```
 */
export function readFlag(
  ctx: ReadContext,
  raw: unknown,
  where: string,
  fallback: boolean,
): boolean {
  const text = readText(ctx, raw, where);
  if (text === undefined) return fallback;
  const lower = text.toLowerCase();
  if (lower !== 'true' && lower !== 'false') {
    throw templateError(
      ctx,
      where,
      `is ${JSON.stringify(text)}, not true or false`,
      'Write true or false',
    );
  }
  return lower === 'true';
}

/**
 * Reads a property that must be a map; `undefined` when it is absent, or computed by an
 * intrinsic function the reader does not evaluate (with a warning).
 *
 * @throws {@link TemplateError} when it is something else.
 *
 * @example
 * ```ts
 * const environment = readMap(ctx, properties.Environment, 'Fn.Environment');
 * ```
 */
export function readMap(
  ctx: ReadContext,
  raw: unknown,
  where: string,
): Readonly<Record<string, unknown>> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (unevaluated(ctx, raw, where)) return undefined;
  if (!isRecord(raw)) {
    throw templateError(ctx, where, 'is not a map', 'Write it as key: value pairs');
  }
  return raw;
}

/**
 * Reads a property that must be a list; `undefined` when it is absent, or computed by an
 * intrinsic function the reader does not evaluate (with a warning).
 *
 * @throws {@link TemplateError} when it is something else.
 *
 * @example
 * ```ts
 * const entryPoints = readList(ctx, build.EntryPoints, 'Fn.Metadata.BuildProperties.EntryPoints');
 * ```
 */
export function readList(
  ctx: ReadContext,
  raw: unknown,
  where: string,
): readonly unknown[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (unevaluated(ctx, raw, where)) return undefined;
  if (!Array.isArray(raw)) throw templateError(ctx, where, 'is not a list', 'Write it as a list');
  return raw as unknown[];
}

/**
 * Reads a list of texts, such as `External` or `FunctionResponseTypes`.
 *
 * @example
 * ```ts
 * const types = readTextList(ctx, properties.FunctionResponseTypes, 'Fn.Events.Orders.Properties.FunctionResponseTypes');
 * ```
 */
export function readTextList(ctx: ReadContext, raw: unknown, where: string): string[] {
  const list = readList(ctx, raw, where) ?? [];
  return list.flatMap((item, index) => readText(ctx, item, `${where}[${index}]`) ?? []);
}

/** A map or list computed by an intrinsic function: none of them is evaluated locally. */
function unevaluated(ctx: ReadContext, raw: unknown, where: string): boolean {
  const name = intrinsicName(raw);
  if (name === undefined) return false;
  warn(ctx, where, `${name} is not supported locally here; the property is ignored`);
  return true;
}
