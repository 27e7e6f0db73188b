import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

import { parseHandler } from '../functions/handler.js';
import type { BuildSpec, TemplateValue } from '../model.js';
import { checkProperties, templateError, warn } from './context.js';
import type { ReadContext } from './context.js';
import { readFlag, readMap, readText, readTextList } from './properties.js';

// SAM's esbuild builder (aws-lambda-builders, nodejs_npm_esbuild/esbuild.py) passes these
// when BuildProperties leaves them out; Sourcemap has no default of its own (see below).
const SAM_DEFAULT_TARGET = 'es2020';
const SAM_DEFAULT_FORMAT = 'cjs';
const SAM_DEFAULT_MINIFY = true;
/** The builder tries these extensions, in order, for an entry point written without one. */
const ENTRY_EXTENSIONS = ['.ts', '.js'] as const;
const SOURCE_MAPS_OPTION = '--enable-source-maps';
/** The output file types esbuild takes a banner for. */
const BANNER_TYPES = ['js', 'css'] as const;

/** A function's build, and its environment as SAM leaves it after the build. */
export interface BuildResult {
  readonly build: BuildSpec | undefined;
  readonly environment: Readonly<Record<string, TemplateValue>>;
}

/**
 * Reads SAM's esbuild metadata (`Metadata.BuildMethod: esbuild` and `BuildProperties`) into
 * a {@link BuildSpec}, with SAM's defaults. Like `sam build`, a function whose
 * `NODE_OPTIONS` enables source maps gets them, and `Sourcemap: true` adds
 * `--enable-source-maps` to `NODE_OPTIONS`.
 *
 * @throws {@link TemplateError} for an entry point that does not exist in CodeUri, or a
 *   format Lambda cannot load.
 *
 * @example
 * ```ts
 * const { build, environment } = await readBuild(ctx, 'ProducerFunction', metadata, {
 *   codeUri: '/app/src',
 *   handler: 'producer.handler',
 *   environment: {},
 * });
 * ```
 */
export async function readBuild(
  ctx: ReadContext,
  id: string,
  metadata: unknown,
  code: { codeUri: string; handler: string; environment: Readonly<Record<string, TemplateValue>> },
): Promise<BuildResult> {
  const where = `${id}.Metadata`;
  const map = readMap(ctx, metadata, where);
  const method = readText(ctx, map?.BuildMethod, `${where}.BuildMethod`);
  const properties = readMap(ctx, map?.BuildProperties, `${where}.BuildProperties`);
  if (method !== 'esbuild') {
    if (method !== undefined) {
      warn(
        ctx,
        `${where}.BuildMethod`,
        `${method} is not supported locally; CodeUri runs as it is`,
      );
    } else if (properties !== undefined) {
      warn(ctx, `${where}.BuildProperties`, 'ignored without BuildMethod: esbuild');
    }
    return { build: undefined, environment: code.environment };
  }

  const at = `${where}.BuildProperties`;
  const given = properties ?? {};
  checkProperties(ctx, at, given, {
    read: [
      'EntryPoints',
      'Format',
      'OutExtension',
      'Minify',
      'Sourcemap',
      'Target',
      'External',
      'MainFields',
      'Banner',
      'Loader',
      'SourcesContent',
    ],
    inert: [],
  });
  const format = readText(ctx, given.Format, `${at}.Format`) ?? SAM_DEFAULT_FORMAT;
  if (format !== 'esm' && format !== 'cjs') {
    throw templateError(
      ctx,
      `${at}.Format`,
      `is ${format}, which Lambda cannot load`,
      'Use esm or cjs',
    );
  }
  const nodeOptions = code.environment.NODE_OPTIONS;
  const sourceMapsEnabled =
    typeof nodeOptions === 'string' && nodeOptions.includes(SOURCE_MAPS_OPTION);
  const sourcemap = readFlag(ctx, given.Sourcemap, `${at}.Sourcemap`, sourceMapsEnabled);
  // A NODE_OPTIONS computed from other resources is left as it is: it has no text yet.
  const extendable = nodeOptions === undefined || typeof nodeOptions === 'string';
  const environment =
    sourcemap && !sourceMapsEnabled && extendable
      ? { ...code.environment, NODE_OPTIONS: [nodeOptions, SOURCE_MAPS_OPTION].join(' ').trim() }
      : code.environment;

  const written = readTextList(ctx, given.EntryPoints, `${at}.EntryPoints`);
  // Without EntryPoints, SAM builds the module the handler names, cut as the runner cuts it.
  const entries =
    written.length > 0 ? written : [parseHandler(code.handler)?.module ?? code.handler];
  const entryPoints: string[] = [];
  for (const entry of entries) {
    entryPoints.push(await findEntryPoint(ctx, `${at}.EntryPoints`, code.codeUri, entry));
  }

  return {
    build: {
      entryPoints,
      format,
      outExtension: outExtension(ctx, `${at}.OutExtension`, given.OutExtension),
      minify: readFlag(ctx, given.Minify, `${at}.Minify`, SAM_DEFAULT_MINIFY),
      sourcemap,
      target: readText(ctx, given.Target, `${at}.Target`) ?? SAM_DEFAULT_TARGET,
      external: readTextList(ctx, given.External, `${at}.External`),
      mainFields: readMainFields(ctx, given.MainFields, `${at}.MainFields`),
      banner: readKeyedTexts(ctx, given.Banner, `${at}.Banner`, BANNER_TYPES),
      loader: readKeyedTexts(ctx, given.Loader, `${at}.Loader`),
      sourcesContent: readFlag(ctx, given.SourcesContent, `${at}.SourcesContent`, true),
    },
    environment,
  };
}

/**
 * SAM's `MainFields` is one comma-separated string (`module,main`); a YAML list is accepted too.
 */
function readMainFields(ctx: ReadContext, value: unknown, where: string): string[] {
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((field) => field.trim())
      .filter((field) => field.length > 0);
  }
  return readTextList(ctx, value, where);
}

/**
 * SAM passes each entry of `Banner` and `Loader` to esbuild as `--banner:<entry>` and
 * `--loader:<entry>`, so an entry is `key=text`, split at its first `=` (`js=import …` or
 * `.png=file`). An entry without `=`, or a key outside `keys` when given, is named and ignored.
 */
function readKeyedTexts(
  ctx: ReadContext,
  raw: unknown,
  where: string,
  keys?: readonly string[],
): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [index, entry] of readTextList(ctx, raw, where).entries()) {
    const split = entry.indexOf('=');
    const key = entry.slice(0, Math.max(split, 0));
    if (split <= 0 || (keys !== undefined && !keys.includes(key))) {
      const expected = keys === undefined ? 'key=value' : keys.map((k) => `${k}=…`).join(' or ');
      warn(ctx, `${where}[${index}]`, `is not of the form ${expected}; it is ignored`);
      continue;
    }
    texts[key] = entry.slice(split + 1);
  }
  return texts;
}

/** The entry file relative to CodeUri, with the extension the builder would find. */
async function findEntryPoint(ctx: ReadContext, where: string, codeUri: string, entry: string) {
  const candidates = extname(entry) === '' ? ENTRY_EXTENSIONS.map((ext) => entry + ext) : [entry];
  for (const candidate of candidates) {
    if (await isFile(join(codeUri, candidate))) return candidate;
  }
  throw templateError(
    ctx,
    where,
    `no file ${candidates.join(' or ')} in ${codeUri}`,
    'List the entry files relative to CodeUri, or fix the Handler it is derived from',
  );
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** `OutExtension: ['.js=.mjs']` gives `.mjs`; esbuild's own default is `.js`. */
function outExtension(ctx: ReadContext, where: string, raw: unknown): string {
  let extension = '.js';
  for (const [from, to] of Object.entries(readKeyedTexts(ctx, raw, where))) {
    if (from === '.js' && to.startsWith('.')) extension = to;
    else warn(ctx, where, `${from}=${to} is not supported locally; it is ignored`);
  }
  return extension;
}
