// Bundles every variant's consumer with esbuild, as SAM's esbuild builder would.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
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

// tracebridge's source folders (and files) by concern, first match wins, for the size report.
const TRACEBRIDGE_CONCERNS = [
  ['propagation', /^(propagation\/|version\.js)/],
  ['consumer', /^consumer\//],
  ['configuration', /^setup\/(config\/|options\.js|propagators\.js|sampler\.js|errors\.js)/],
  ['OTLP exporter', /^setup\/exporters\/otlp\//],
  ['X-Ray and console exporters', /^setup\/exporters\//],
  ['set-up', /^setup\//],
];

/** The concern (for tracebridge's files) or the package an input file of a bundle belongs to. */
function originOf(input) {
  const own = /(?:^|\/)tracebridge\/dist\/esm\/(.*)$/.exec(input)?.[1];
  if (own !== undefined) {
    return `tracebridge: ${TRACEBRIDGE_CONCERNS.find(([, folder]) => folder.test(own))?.[0] ?? 'entry'}`;
  }
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'the fixture';
}

/** Bytes of the minified bundle per origin, from esbuild's metafile, largest first. */
function bytesByOrigin(metafile) {
  const bytes = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const origin = originOf(input);
      bytes[origin] = (bytes[origin] ?? 0) + bytesInOutput;
    }
  }
  return Object.fromEntries(
    Object.entries(bytes)
      .filter(([, count]) => count > 0)
      .sort(([, a], [, b]) => b - a),
  );
}

/**
 * Bundles `fixtures/<name>.mjs` into `.build/<name>.mjs`; returns its path, its sizes and where its
 * bytes come from (`byOrigin`). esbuild's metafile goes next to it (`<name>.meta.json`), for a
 * closer look per input file; asking for it does not change the bundle.
 */
export async function bundle(name) {
  await mkdir(BUILD_DIR, { recursive: true });
  const outfile = join(BUILD_DIR, `${name}.mjs`);
  const { metafile } = await build({
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
    metafile: true,
  });
  await writeFile(join(BUILD_DIR, `${name}.meta.json`), JSON.stringify(metafile));
  const code = await readFile(outfile);
  return {
    path: outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    byOrigin: bytesByOrigin(metafile),
  };
}
