// The viewer's three files, served by the collector at `/` and under `/assets/`. The build
// bundles the browser code into dist/viewer/app.js beside this module's compiled copy; when
// this module runs from source (vitest, tsx) there is no bundle beside it, so the browser
// entry is bundled in memory with esbuild, once per process. One lookup, two layouts, no
// build step needed before a test.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The browser entry esbuild bundles, relative to this folder (source layout only). */
export const VIEWER_ENTRY = join('browser', 'main.ts');
/** The bundle's name, in dist/viewer/ and under /assets/. */
export const VIEWER_BUNDLE = 'app.js';

// Served paths and their files; anything else under /assets/ is a 404.
const ASSETS: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  [`/assets/${VIEWER_BUNDLE}`]: { file: VIEWER_BUNDLE, type: 'text/javascript; charset=utf-8' },
  '/assets/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

// Only this origin's own script and stylesheet run: even a span name that slipped past the
// viewer's text-only rendering could not execute inline script or load anything else.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const loaded = new Map<string, Promise<Uint8Array>>();

/**
 * Whether the collector should answer `path` with a viewer file.
 *
 * @example
 * if (isViewerPath('/assets/app.js')) await serveViewer(request, response);
 */
export function isViewerPath(path: string): boolean {
  // Any /assets/ path, so that an unknown asset gets the viewer's 404 rather than the API's.
  return Object.hasOwn(ASSETS, path) || path.startsWith('/assets/');
}

/**
 * Answers a request for one of the viewer's files: 200 with the file, 404 for an unknown
 * asset, 405 for anything but GET or HEAD.
 *
 * @example
 * const server = http.createServer((request, response) => void serveViewer(request, response));
 */
export async function serveViewer(
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
  const asset = ASSETS[path];
  if (!asset) {
    sendText(response, 404, `no viewer file at ${path}`);
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    sendText(response, 405, `${path} answers GET only`);
    return;
  }
  let body: Uint8Array;
  try {
    body = await load(asset.file);
  } catch (error) {
    loaded.delete(asset.file);
    const reason = error instanceof Error ? error.message : String(error);
    sendText(response, 503, `the viewer is not available (${reason}): run npm run build`);
    return;
  }
  response.writeHead(200, {
    'content-type': asset.type,
    'content-length': body.byteLength,
    'cache-control': 'no-cache',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function load(file: string): Promise<Uint8Array> {
  let pending = loaded.get(file);
  if (!pending) {
    const built = join(here, file);
    pending = file === VIEWER_BUNDLE && !existsSync(built) ? bundleFromSource() : readFile(built);
    loaded.set(file, pending);
  }
  return pending;
}

async function bundleFromSource(): Promise<Uint8Array> {
  const entry = join(here, VIEWER_ENTRY);
  if (!existsSync(entry)) throw new Error(`neither ${VIEWER_BUNDLE} nor ${entry} exists`);
  // Imported here only: the built package never bundles at run time.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
  return output.contents;
}

function sendText(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(message),
    'x-content-type-options': 'nosniff',
  });
  response.end(message);
}
