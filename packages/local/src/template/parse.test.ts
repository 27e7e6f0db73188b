import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { loadTemplate } from './parse.js';

const folder = mkdtempSync(path.join(tmpdir(), 'tracebridge-parse-'));

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

async function load(yaml: string): Promise<unknown> {
  const file = path.join(folder, 'template.yaml');
  writeFileSync(file, yaml);
  return loadTemplate(file);
}

it('reads scalars with no digit before the exponent as text, as PyYAML and SnakeYAML do', async () => {
  const values = await load(
    ['dot: .', 'signed: +.', 'exponent: e5', 'dotExponent: .e1', 'underscores: _.'].join('\n'),
  );

  expect(values).toEqual({
    dot: '.',
    signed: '+.',
    exponent: 'e5',
    dotExponent: '.e1',
    underscores: '_.',
  });
});

it('keeps YAML 1.1 floats, infinities and NaN', async () => {
  const values = await load(
    ['a: 1.', 'b: .5', 'c: -1_000.25', 'd: 1e3', 'e: 2.5E-2', 'f: -.inf', 'g: .NaN'].join('\n'),
  );

  expect(values).toEqual({ a: 1, b: 0.5, c: -1000.25, d: 1000, e: 0.025, f: -Infinity, g: NaN });
});
