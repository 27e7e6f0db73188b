// Compiles the CLI and the runtime to dist/ with tsc, then copies the plain JavaScript files
// the function runner starts as child processes (they run outside the compiled tree's imports),
// then builds the web viewer: its browser code bundled by esbuild into one file beside its
// page and stylesheet in dist/viewer/, where the collector serves them from.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(join(packageRoot, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(packageRoot, 'tsconfig.build.json')], {
  stdio: 'inherit',
});

const source = join(packageRoot, 'src');
for (const entry of readdirSync(source, { recursive: true, withFileTypes: true })) {
  if (entry.isFile() && entry.name.endsWith('.mjs')) {
    const from = join(entry.parentPath, entry.name);
    cpSync(from, join(packageRoot, 'dist', relative(source, from)));
  }
}

const viewerSource = join(source, 'viewer');
const viewerOutput = join(packageRoot, 'dist', 'viewer');
// tsc compiled the browser code file by file; the page loads only the bundle.
rmSync(join(viewerOutput, 'browser'), { recursive: true, force: true });
await build({
  entryPoints: [join(viewerSource, 'browser', 'main.ts')],
  outfile: join(viewerOutput, 'app.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) {
  cpSync(join(viewerSource, file), join(viewerOutput, file));
}
