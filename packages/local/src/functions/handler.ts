import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Extensions Lambda's Node.js runtime tries, in this order, for the module a `Handler` names
 * (aws-lambda-nodejs-runtime-interface-client, `UserFunction`).
 */
const HANDLER_EXTENSIONS = ['.js', '.mjs', '.cjs'] as const;

// `[dir/]module.export[.nested]`: the module is everything up to the first dot after the last
// slash (Lambda's Node.js runtime splits the same way, so `lib.v2/app.handler` works).
const HANDLER_PATTERN = /^((?:.*\/)?[^./]+)\.([^.]+(?:\.[^.]+)*)$/;

/** Where a function's handler lives, read from its `Handler` setting. */
export interface HandlerLocation {
  /** Module path relative to the task root, without extension: `producer`, `dist/producer`. */
  readonly module: string;
  /** Property path of the handler inside the module: `['handler']`. */
  readonly exportPath: readonly string[];
}

/**
 * Reads a Lambda `Handler` setting (`file.export`, optionally with a directory and a nested
 * export). Returns `undefined` for anything Lambda would reject as a malformed handler name.
 *
 * @example
 * ```ts
 * parseHandler('producer.handler'); // { module: 'producer', exportPath: ['handler'] }
 * parseHandler('dist/app.handlers.orders'); // { module: 'dist/app', exportPath: ['handlers', 'orders'] }
 * ```
 */
export function parseHandler(handler: string): HandlerLocation | undefined {
  const match = HANDLER_PATTERN.exec(handler);
  const module = match?.[1];
  const exportPath = match?.[2];
  if (module === undefined || exportPath === undefined) return undefined;
  return { module, exportPath: exportPath.split('.') };
}

/**
 * The file a handler's module resolves to under a task root: the first of
 * {@link HANDLER_EXTENSIONS} that exists. When none does, the `.js` path, so that loading it
 * fails the way Lambda's does (`Runtime.ImportModuleError`).
 *
 * @example
 * ```ts
 * handlerFile('/work/.tracebridge/build/Producer', { module: 'producer', exportPath: ['handler'] });
 * // '/work/.tracebridge/build/Producer/producer.mjs'
 * ```
 */
export function handlerFile(taskRoot: string, location: HandlerLocation): string {
  const base = path.resolve(taskRoot, location.module);
  const found = HANDLER_EXTENSIONS.map((extension) => base + extension).find((file) =>
    existsSync(file),
  );
  return found ?? `${base}${HANDLER_EXTENSIONS[0]}`;
}
