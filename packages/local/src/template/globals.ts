import { isList } from './context.js';
import { isRecord } from '../json.js';
import { intrinsicName } from './intrinsics.js';

/**
 * Merges `Globals.Function` into a function's properties the way SAM's translator does:
 * the function's own value wins; maps merge key by key (so `Environment.Variables` holds
 * both sets of variables); lists are concatenated, global entries first; an intrinsic
 * function counts as a single value, not as a map.
 *
 * @example
 * ```ts
 * mergeGlobals({ Timeout: 10, Environment: { Variables: { A: '1' } } }, { Timeout: 30 });
 * // { Timeout: 30, Environment: { Variables: { A: '1' } } }
 * ```
 */
export function mergeGlobals(
  globals: Readonly<Record<string, unknown>>,
  local: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...globals };
  for (const [key, value] of Object.entries(local)) {
    merged[key] = key in globals ? mergeValue(globals[key], value) : value;
  }
  return merged;
}

function mergeValue(global: unknown, local: unknown): unknown {
  if (isMap(global) && isMap(local)) return mergeGlobals(global, local);
  if (isList(global) && isList(local)) return [...global, ...local];
  return local;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && intrinsicName(value) === undefined;
}
