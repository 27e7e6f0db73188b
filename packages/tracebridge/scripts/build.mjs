// Builds the library twice with tsc: ESM into dist/esm and CommonJS into dist/cjs.
// Each folder gets a package.json naming its module type, so Node and TypeScript read
// the .js and .d.ts files of each build in the right mode (no dual-package type hazard).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const builds = [
  { folder: 'esm', module: 'NodeNext', moduleResolution: 'NodeNext', type: 'module' },
  // verbatimModuleSyntax forbids ESM syntax in files compiled to CommonJS; the CJS build is
  // the one place where that conversion is the point.
  {
    folder: 'cjs',
    module: 'CommonJS',
    moduleResolution: 'Node10',
    type: 'commonjs',
    extra: ['--verbatimModuleSyntax', 'false'],
  },
];

rmSync(join(packageRoot, 'dist'), { recursive: true, force: true });
for (const build of builds) {
  const outDir = join(packageRoot, 'dist', build.folder);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: build.type })}\n`);
  execFileSync(
    process.execPath,
    [
      tsc,
      '-p',
      join(packageRoot, 'tsconfig.build.json'),
      '--outDir',
      outDir,
      '--module',
      build.module,
      '--moduleResolution',
      build.moduleResolution,
      ...(build.extra ?? []),
    ],
    { stdio: 'inherit' },
  );
}
