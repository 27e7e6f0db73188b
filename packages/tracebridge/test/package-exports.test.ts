import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repositoryRoot = join(packageRoot, '..', '..');
const TRACE_ID = '5759e988bd862e3fe1be46a994272793';

/**
 * A consumer's code: injects a context into an SQS message the way a producer would, turns it
 * into the record Lambda would deliver, and extracts it again.
 */
const roundTrip = (importLine: string) => `${importLine}
const spanContext = { traceId: '${TRACE_ID}', spanId: '53995c3f42cd8ad8', traceFlags: 1, isRemote: true };
const parent = api.trace.setSpanContext(api.ROOT_CONTEXT, spanContext);
const message = tb.injectSqsMessage({ MessageBody: '{"n":1}' }, parent);
const record = {
  eventSource: 'aws:sqs',
  body: message.MessageBody,
  messageAttributes: { traceparent: { dataType: 'String', stringValue: message.MessageAttributes.traceparent.StringValue } },
  attributes: {},
};
const extracted = tb.extractRecordContext(record);
if (typeof tb.tracePropagation().applyToStack !== 'function') throw new Error('no plugin');
console.log(extracted.spanContext.traceId, tb.recordPayload(record).text);
`;

let workspace: string;

function project(name: string, type: 'module' | 'commonjs'): string {
  const folder = join(workspace, name);
  mkdirSync(join(folder, 'node_modules', '@opentelemetry'), { recursive: true });
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, private: true, type }));
  symlinkSync(packageRoot, join(folder, 'node_modules', 'tracebridge'), 'dir');
  symlinkSync(
    join(repositoryRoot, 'node_modules', '@opentelemetry', 'api'),
    join(folder, 'node_modules', '@opentelemetry', 'api'),
    'dir',
  );
  return folder;
}

const run = (file: string) => execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim();

beforeAll(() => {
  if (!existsSync(join(packageRoot, 'dist', 'esm', 'index.js'))) {
    throw new Error(
      'packages/tracebridge/dist is missing: run `npm run build` first (npm test does)',
    );
  }
  workspace = mkdtempSync(join(tmpdir(), 'tracebridge-exports-'));
});
afterAll(() => {
  rmSync(workspace, { recursive: true, force: true });
});

describe('the built package', () => {
  it('imports from an ESM project', () => {
    const folder = project('esm-consumer', 'module');
    const file = join(folder, 'index.js');
    writeFileSync(
      file,
      roundTrip("import * as api from '@opentelemetry/api';\nimport * as tb from 'tracebridge';"),
    );
    expect(run(file)).toBe(`${TRACE_ID} {"n":1}`);
  });

  it('requires from a CommonJS project', () => {
    const folder = project('cjs-consumer', 'commonjs');
    const file = join(folder, 'index.js');
    writeFileSync(
      file,
      roundTrip("const api = require('@opentelemetry/api');\nconst tb = require('tracebridge');"),
    );
    expect(run(file)).toBe(`${TRACE_ID} {"n":1}`);
  });

  it.each(['esm', 'cjs'] as const)(
    'bundles with esbuild as SAM and CDK do (%s output)',
    async (format) => {
      const folder = project(`bundle-${format}`, format === 'esm' ? 'module' : 'commonjs');
      const entry = join(folder, 'handler.ts');
      writeFileSync(
        entry,
        roundTrip("import * as api from '@opentelemetry/api';\nimport * as tb from 'tracebridge';"),
      );
      const outfile = join(folder, format === 'esm' ? 'bundle.mjs' : 'bundle.cjs');
      await build({
        entryPoints: [entry],
        bundle: true,
        minify: true,
        platform: 'node',
        target: 'node20',
        format,
        outfile,
        logLevel: 'silent',
      });
      expect(run(outfile)).toBe(`${TRACE_ID} {"n":1}`);
    },
  );
});
