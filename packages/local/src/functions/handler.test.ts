import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { handlerFile, parseHandler } from './handler.js';

describe('parseHandler', () => {
  it.each([
    ['producer.handler', 'producer', ['handler']],
    ['dist/app.handler', 'dist/app', ['handler']],
    ['app.handlers.orders', 'app', ['handlers', 'orders']],
    ['lib.v2/app.handler', 'lib.v2/app', ['handler']],
  ])('reads %s', (handler, module, exportPath) => {
    expect(parseHandler(handler)).toEqual({ module, exportPath });
  });

  it.each(['handler', '.handler', 'app.', 'app..handler', 'dir/.hidden.handler', ''])(
    'rejects %j as Lambda would',
    (handler) => {
      expect(parseHandler(handler)).toBeUndefined();
    },
  );
});

describe('handlerFile', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tracebridge-handler-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('takes the first extension that exists, in the order Lambda tries them', () => {
    writeFileSync(path.join(root, 'both.mjs'), '');
    writeFileSync(path.join(root, 'both.cjs'), '');
    expect(handlerFile(root, { module: 'both', exportPath: ['handler'] })).toBe(
      path.join(root, 'both.mjs'),
    );
  });

  it('falls back to the .js path, so that loading fails as it does on Lambda', () => {
    expect(handlerFile(root, { module: 'missing', exportPath: ['handler'] })).toBe(
      path.join(root, 'missing.js'),
    );
  });
});
