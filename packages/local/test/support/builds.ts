import type { BuildSpec } from '../../src/model.js';

/**
 * How the runner tests build a TypeScript fixture: an ESM bundle for Node 20, unminified, with
 * source maps, and packages resolved to their ESM builds (`MainFields: module,main`, as the
 * README advises SAM users).
 *
 * @example
 * const build = esmTestBuild('handlers.ts');
 */
export function esmTestBuild(entry: string): BuildSpec {
  return {
    entryPoints: [entry],
    format: 'esm',
    outExtension: '.mjs',
    minify: false,
    sourcemap: true,
    target: 'node20',
    external: [],
    mainFields: ['module', 'main'],
    banner: {},
    loader: {},
    sourcesContent: true,
  };
}
