// Bundles every variant's consumer with esbuild, as SAM's esbuild builder would.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
export const BUILD_DIR = join(BENCH, '.build');
export const FIXTURES = join(BENCH, 'fixtures');

// CommonJS dependencies call require() for Node built-ins; an ESM bundle needs one in scope.
const REQUIRE_BANNER =
  "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);";

/** The esbuild options every bundle uses, in command-line form for the report. */
export const ESBUILD_FLAGS =
  '--bundle --minify --format=esm --platform=node --target=es2022 --main-fields=module,main';

/** Bundles `fixtures/<name>.mjs` into `.build/<name>.mjs`; returns its path and sizes. */
export async function bundle(name) {
  await mkdir(BUILD_DIR, { recursive: true });
  const outfile = join(BUILD_DIR, `${name}.mjs`);
  await build({
    entryPoints: [join(FIXTURES, `${name}.mjs`)],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_BANNER },
    logLevel: 'error',
    legalComments: 'none',
  });
  const code = await readFile(outfile);
  return { path: outfile, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}
