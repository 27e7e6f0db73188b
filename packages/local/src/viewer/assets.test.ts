// The viewer's files as the collector serves them. Run from source, so the script is the
// bundle esbuild makes in memory; the built package serves dist/viewer/app.js the same way.

import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCollector, startCollector } from '../collector/server.js';

let collector: RunningCollector;

beforeAll(async () => {
  collector = await startCollector({ port: 0, xrayPort: null });
});

afterAll(async () => {
  await collector.close();
});

/** A request with a body on any method, which fetch refuses to send on GET. */
function requestWithBody(method: string, path: string, body: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-length': Buffer.byteLength(body) };
    const request = http.request(
      `${collector.endpoint}${path}`,
      { method, headers },
      (response) => {
        response.resume();
        resolve(response.statusCode);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('the viewer files', () => {
  it('serves the page with a Content-Security-Policy that allows only its own files', async () => {
    const response = await fetch(`${collector.endpoint}/`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("default-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const page = await response.text();
    expect(page).toContain('<script src="/assets/app.js"></script>');
    expect(page).toContain('<link rel="stylesheet" href="/assets/style.css" />');
  });

  it('serves the bundled script and the stylesheet', async () => {
    const script = await fetch(`${collector.endpoint}/assets/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const code = await script.text();
    // One self-contained file: no module imports left for the browser to resolve.
    expect(code).toContain('hashchange');
    expect(code).not.toMatch(/^import /m);

    const style = await fetch(`${collector.endpoint}/assets/style.css`);
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404 for an unknown asset, and never reads a path it was given', async () => {
    for (const path of ['/assets/nope.js', '/assets/../package.json', '/assets/%2e%2e/assets.ts']) {
      const response = await fetch(`${collector.endpoint}${path}`);
      expect(response.status, path).toBe(404);
    }
  });

  it('answers GET and HEAD only', async () => {
    const response = await fetch(`${collector.endpoint}/`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${collector.endpoint}/assets/style.css`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('refuses a GET with a body, on the viewer and the API, with a 413', async () => {
    expect(await requestWithBody('GET', '/', 'x'.repeat(10_000))).toBe(413);
    expect(await requestWithBody('GET', '/api/traces', '{}')).toBe(413);
    expect(await requestWithBody('GET', '/api/service-map', 'x')).toBe(413);
  });
});
