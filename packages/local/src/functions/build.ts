import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { build, type Loader, type Message } from 'esbuild';

import type { BuildSpec, FunctionSpec } from '../model.js';
import { FunctionBuildError, FunctionConfigurationError } from './errors.js';
import { handlerFile, parseHandler } from './handler.js';

/**
 * What esbuild's stand-in for `require` throws when an ESM bundle holds CommonJS code that
 * requires a module: ESM defines no `require`, on Lambda as here.
 */
const DYNAMIC_REQUIRE_SHIM = 'Dynamic require of "';
const REQUIRE_BANNER_HINT =
  'BuildProperties.Banner: [\'js=import { createRequire } from "node:module"; const require = createRequire(import.meta.url);\']';

// Lambda's Node.js runtime identifiers: nodejs18.x, nodejs20.x, nodejs22.x, …
const NODE_RUNTIME_PREFIX = 'nodejs';

/** A function ready to run: its Lambda task root and the handler inside it. */
export interface BuiltFunction {
  /** `LAMBDA_TASK_ROOT`: the build folder, or `CodeUri` for a function without a build. */
  readonly taskRoot: string;
  /** Absolute path of the module the handler lives in. */
  readonly file: string;
  /** Property path of the handler inside the module. */
  readonly exportPath: readonly string[];
  /** What the build found that will fail at run time, on Lambda as here; one line each. */
  readonly warnings: readonly string[];
}

/**
 * Builds one function the way SAM's esbuild builder does (bundle, platform node, the template's
 * format, target, minify and externals), always with source maps, into `<buildRoot>/<logicalId>`.
 * A `package.json` with the module type goes next to the output, so that a `.js` file loads as
 * the format it was built in whatever package it sits under. A function without a build spec
 * runs from its `CodeUri` as it is.
 *
 * @throws {@link FunctionBuildError} when esbuild fails or produces no file for the handler.
 * @throws {@link FunctionConfigurationError} when the `Handler` is not `file.export`, or the
 *   runtime is not Node.js.
 *
 * @example
 * ```ts
 * const built = await buildFunction(producerSpec, '/work/app/.tracebridge/build');
 * built.file; // '/work/app/.tracebridge/build/ProducerFunction/producer.mjs'
 * ```
 */
export async function buildFunction(spec: FunctionSpec, buildRoot: string): Promise<BuiltFunction> {
  if (!spec.runtime.startsWith(NODE_RUNTIME_PREFIX)) {
    throw new FunctionConfigurationError(
      `Function ${spec.functionName} uses the ${spec.runtime} runtime; only Node.js functions (nodejs*) run locally`,
    );
  }
  const location = parseHandler(spec.handler);
  if (location === undefined) {
    throw new FunctionConfigurationError(
      `Handler '${spec.handler}' of function ${spec.functionName} is not of the form file.export (for example producer.handler)`,
    );
  }
  if (spec.build === undefined) {
    return {
      taskRoot: spec.codeUri,
      file: handlerFile(spec.codeUri, location),
      exportPath: location.exportPath,
      warnings: [],
    };
  }

  const outdir = path.resolve(buildRoot, spec.logicalId);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  let outputs: string[];
  try {
    const result = await build({
      absWorkingDir: spec.codeUri,
      entryPoints: spec.build.entryPoints.map((entry) => path.resolve(spec.codeUri, entry)),
      bundle: true,
      platform: 'node',
      format: spec.build.format,
      target: spec.build.target,
      minify: spec.build.minify,
      sourcemap: true,
      external: [...spec.build.external],
      ...(spec.build.mainFields.length > 0 ? { mainFields: [...spec.build.mainFields] } : {}),
      outdir,
      outExtension: { '.js': spec.build.outExtension },
      banner: { ...spec.build.banner },
      loader: { ...spec.build.loader } as Record<string, Loader>,
      sourcesContent: spec.build.sourcesContent,
      metafile: true,
      logLevel: 'silent',
    });
    outputs = Object.keys(result.metafile.outputs).map((output) =>
      path.resolve(spec.codeUri, output),
    );
  } catch (error) {
    throw new FunctionBuildError(spec.functionName, describeFailure(error), { cause: error });
  }
  const type = spec.build.format === 'esm' ? 'module' : 'commonjs';
  await writeFile(path.join(outdir, 'package.json'), `${JSON.stringify({ type })}\n`);

  const file = path.join(outdir, location.module + spec.build.outExtension);
  if (!existsSync(file)) {
    const produced = outputs.filter((output) => !output.endsWith('.map'));
    throw new FunctionBuildError(
      spec.functionName,
      `Handler '${spec.handler}' needs ${path.relative(outdir, file)}, but the build produced ${produced.map((output) => path.relative(outdir, output)).join(', ') || 'nothing'}; check EntryPoints and OutExtension`,
    );
  }
  return {
    taskRoot: outdir,
    file,
    exportPath: location.exportPath,
    warnings: await requireWarnings(spec.build, file),
  };
}

/**
 * SAM adds no banner of its own, so an ESM bundle whose CommonJS code requires a module fails
 * on Lambda with "Dynamic require of … is not supported" once that code runs. It fails the same
 * way here, and the build says why beforehand.
 */
async function requireWarnings(buildSpec: BuildSpec, file: string): Promise<string[]> {
  if (buildSpec.format !== 'esm' || buildSpec.banner.js !== undefined) return [];
  const output = await readFile(file, 'utf8');
  if (!output.includes(DYNAMIC_REQUIRE_SHIM)) return [];
  return [
    `build: the ESM bundle holds CommonJS code that calls require(), which ESM does not define; on Lambda as here it throws "Dynamic require of … is not supported" when it runs. Set MainFields: module,main so that packages resolve to their ESM builds, or define require with ${REQUIRE_BANNER_HINT}`,
  ];
}

function describeFailure(error: unknown): string {
  const messages = isBuildFailure(error) ? error.errors : [];
  if (messages.length === 0) return error instanceof Error ? error.message : String(error);
  return messages.map(formatMessage).join('\n');
}

function formatMessage(message: Message): string {
  const where = message.location;
  return where ? `${where.file}:${where.line}:${where.column}: ${message.text}` : message.text;
}

function isBuildFailure(error: unknown): error is { errors: Message[] } {
  return (
    typeof error === 'object' && error !== null && 'errors' in error && Array.isArray(error.errors)
  );
}
