// Debian's Chromium for the browser tests: playwright-core drives it, and nothing downloads
// a browser of its own (test tools cannot reach browser CDNs here). A machine without it
// gets it from Debian's archive, as root, the first time a browser test runs.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

// apt-get update and a first install of Chromium and its libraries take minutes.
export const CHROMIUM_INSTALL_TIMEOUT_MS = 600_000;

/**
 * Headless, no sandbox (the tests run as root in a container), and nothing that reaches
 * Google's servers: no QUIC, component updates, sync or background networking.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Installs Debian's `chromium` when {@link CHROMIUM_PATH} is missing, and returns the path.
 *
 * @throws {Error} when the install fails or leaves no browser at the path.
 * @example
 * const executablePath = await ensureChromium();
 */
export async function ensureChromium(): Promise<string> {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  try {
    await promisify(execFile)('sh', ['-c', 'apt-get update && apt-get install -y chromium'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: CHROMIUM_INSTALL_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (cause) {
    throw new Error(`installing Debian's chromium failed; install it (apt-get install chromium)`, {
      cause,
    });
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is still missing`);
  }
  return CHROMIUM_PATH;
}

/**
 * A fresh, empty profile directory, so no state leaks between runs.
 *
 * @example
 * const context = await chromium.launchPersistentContext(freshProfile(), { executablePath });
 */
export function freshProfile(): string {
  return mkdtempSync(join(tmpdir(), 'tracebridge-chromium-'));
}
