import type { ResourceKind } from './catalog.js';
import { TemplateError } from './errors.js';

/** One entry of the template's `Resources`, as the readers see it. */
export interface ResourceEntry {
  readonly type: string;
  /** What it becomes locally; `undefined` when it does not run locally. */
  readonly kind: ResourceKind | undefined;
  /** `Properties`, with `Globals.Function` merged in for SAM functions. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The whole definition, for `Metadata`. */
  readonly definition: Readonly<Record<string, unknown>>;
}

/** What every reader of one template shares. */
export interface ReadContext {
  /** The template path as the user gave it, for messages. */
  readonly file: string;
  /** Absolute folder of the template, which relative code paths start from. */
  readonly folder: string;
  readonly warnings: string[];
  /** Template parameters (their `Default`) and pseudo parameters, by name. */
  readonly parameters: ReadonlyMap<string, string>;
  readonly resources: Map<string, ResourceEntry>;
  /** Logical ids of the resources SAM generates (roles, aliases), which do not run locally. */
  readonly generated: ReadonlySet<string>;
  /** Physical names of the resources that run locally, by logical id. */
  readonly names: Map<string, string>;
}

/** How a reader treats the properties of one resource or event. */
export interface PropertyRules {
  /** Properties the reader turns into the architecture. */
  readonly read: readonly string[];
  /** Properties with no effect on a local run: IAM, tags, encryption, descriptions. */
  readonly inert: readonly string[];
  /** Properties that need no warning as long as they hold the AWS default. */
  readonly defaults?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Narrows a parsed template value to a list.
 *
 * @example
 * ```ts
 * const [template, variables] = isList(argument) ? argument : [argument, {}];
 * ```
 */
export function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

/**
 * Adds one warning line: where in the template, then what is ignored.
 *
 * @example
 * ```ts
 * warn(ctx, 'OrdersQueue.DelaySeconds', 'not supported locally; it is ignored');
 * ```
 */
export function warn(ctx: ReadContext, where: string, text: string): void {
  ctx.warnings.push(`${where}: ${text}`);
}

/**
 * The error for a template that cannot run: `<file>: <where>: <problem>. <fix>`.
 *
 * @example
 * ```ts
 * throw templateError(ctx, 'Fn.Handler', 'is missing', 'Set Handler to file.export');
 * ```
 */
export function templateError(
  ctx: ReadContext,
  where: string,
  problem: string,
  fix: string,
  cause?: unknown,
): TemplateError {
  const end = /[.?!]$/.test(fix) ? '' : '.';
  const message = `${ctx.file}: ${where}: ${problem}. ${fix}${end}`;
  return cause === undefined ? new TemplateError(message) : new TemplateError(message, { cause });
}

/**
 * Warns about every property that the rules neither read nor know to be harmless, so none
 * is ignored silently.
 *
 * @example
 * ```ts
 * checkProperties(ctx, 'OrdersQueue', properties, { read: ['QueueName'], inert: ['Tags'] });
 * ```
 */
export function checkProperties(
  ctx: ReadContext,
  where: string,
  properties: Readonly<Record<string, unknown>>,
  rules: PropertyRules,
): void {
  for (const [key, value] of Object.entries(properties)) {
    if (rules.read.includes(key) || rules.inert.includes(key)) continue;
    const fallback = rules.defaults?.[key];
    if (fallback !== undefined && String(value).toLowerCase() === String(fallback).toLowerCase()) {
      continue;
    }
    warn(ctx, `${where}.${key}`, 'not supported locally; it is ignored');
  }
}
