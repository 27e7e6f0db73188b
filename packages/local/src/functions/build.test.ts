import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import type { FunctionSpec } from '../model.js';
import { buildFunction } from './build.js';
import { FunctionBuildError, FunctionConfigurationError } from './errors.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/functions/', import.meta.url));
const buildRoot = mkdtempSync(path.join(tmpdir(), 'tracebridge-build-'));

afterAll(() => {
  rmSync(buildRoot, { recursive: true, force: true });
});

const spec: FunctionSpec = {
  logicalId: 'CjsDependencyFunction',
  functionName: 'cjs-dependency',
  codeUri: FIXTURES,
  handler: 'cjs-dependency.handler',
  runtime: 'nodejs20.x',
  timeoutSeconds: 3,
  memoryMb: 128,
  tracing: 'Active',
  environment: {},
  build: {
    entryPoints: ['cjs-dependency.ts'],
    format: 'esm',
    outExtension: '.mjs',
    minify: true,
    sourcemap: false,
    target: 'es2022',
    external: [],
    mainFields: [],
    banner: {},
    loader: {},
    sourcesContent: true,
  },
};

describe('buildFunction', () => {
  it('bundles like SAM, always with a source map, with the banner and loaders the template gives', async () => {
    const banner =
      "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
    const withBanner = {
      ...spec,
      build: { ...spec.build!, banner: { js: banner }, loader: { '.cjs': 'js' } },
    };
    const built = await buildFunction(withBanner, buildRoot);
    const outdir = path.join(buildRoot, 'CjsDependencyFunction');
    expect(built).toEqual({
      taskRoot: outdir,
      file: path.join(outdir, 'cjs-dependency.mjs'),
      exportPath: ['handler'],
      warnings: [],
    });
    const code = readFileSync(built.file, 'utf8');
    expect(code.startsWith(banner)).toBe(true);
    expect(code).toMatch(/sourceMappingURL=cjs-dependency\.mjs\.map/);
    const map = JSON.parse(readFileSync(`${built.file}.map`, 'utf8')) as {
      sourcesContent?: unknown;
    };
    expect(map.sourcesContent).toBeDefined();
    expect(readFileSync(path.join(outdir, 'package.json'), 'utf8')).toBe('{"type":"module"}\n');
  });

  it('adds no banner of its own, and warns when ESM code will call require()', async () => {
    const built = await buildFunction(spec, buildRoot);

    expect(readFileSync(built.file, 'utf8')).not.toMatch(/createRequire/);
    expect(built.warnings).toHaveLength(1);
    expect(built.warnings[0]).toMatch(
      /^build: the ESM bundle holds CommonJS code that calls require\(\)/,
    );
  });

  it('leaves the sources out of the source map with SourcesContent: false', async () => {
    const lean = { ...spec, build: { ...spec.build!, sourcesContent: false } };
    const built = await buildFunction(lean, buildRoot);

    const map = JSON.parse(readFileSync(`${built.file}.map`, 'utf8')) as {
      sourcesContent?: unknown;
    };
    expect(map.sourcesContent).toBeUndefined();
  });

  it('runs a function without a build from its CodeUri', async () => {
    const plain = {
      ...spec,
      codeUri: path.join(FIXTURES, 'plain'),
      handler: 'app.handler',
      build: undefined,
    };
    expect(await buildFunction(plain, buildRoot)).toEqual({
      taskRoot: path.join(FIXTURES, 'plain'),
      file: path.join(FIXTURES, 'plain', 'app.cjs'),
      exportPath: ['handler'],
      warnings: [],
    });
  });

  it("names the function and carries esbuild's message when the build fails", async () => {
    const broken = { ...spec, build: { ...spec.build!, entryPoints: ['missing.ts'] } };
    const error = await buildFunction(broken, buildRoot).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FunctionBuildError);
    expect(error).toMatchObject({ functionName: 'cjs-dependency' });
    expect((error as Error).message).toMatch(
      /^Could not build function cjs-dependency: .*missing\.ts/,
    );
    expect((error as Error).cause).toBeDefined();
  });

  it('says which file the handler needs when the build does not produce it', async () => {
    const misnamed = { ...spec, handler: 'producer.handler' };
    await expect(buildFunction(misnamed, buildRoot)).rejects.toThrow(
      /Handler 'producer.handler' needs producer\.mjs, but the build produced cjs-dependency\.mjs/,
    );
  });

  it('refuses a runtime other than Node.js', async () => {
    await expect(buildFunction({ ...spec, runtime: 'python3.12' }, buildRoot)).rejects.toThrow(
      /uses the python3.12 runtime/,
    );
  });

  it('rejects a Handler that is not file.export', async () => {
    await expect(buildFunction({ ...spec, handler: 'handler' }, buildRoot)).rejects.toBeInstanceOf(
      FunctionConfigurationError,
    );
  });
});
