// The OTLP exporter's https path, against a real TLS receiver on 127.0.0.1 whose certificate a
// private test CA signs: the flush delivers over TLS when the function trusts that CA through
// NODE_EXTRA_CA_CERTS, as a Lambda with a custom CA bundle does, and refuses with one clear
// warning when it does not, or when the certificate names another host.

import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.js';

const exportOnce = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'export-once.mjs');
const runFile = promisify(execFile);

interface Certificates {
  readonly caPath: string;
  readonly key: string;
  readonly cert: string;
}

let workspace: string;
let certificates: Certificates;
let receiver: OtlpReceiver | undefined;

/** A CA and a server certificate it signs for `subjectAltName`, made with the openssl CLI. */
function issueCertificates(folder: string, subjectAltName: string): Certificates {
  const file = (name: string) => join(folder, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  // openssl req asks for a subject unless its configuration gives one.
  writeFileSync(
    file('openssl.cnf'),
    '[req]\nprompt = no\ndistinguished_name = dn\n[dn]\nCN = tracebridge test\n',
  );
  const env = { ...process.env, OPENSSL_CONF: file('openssl.cnf') };
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', env });
  openssl('req', '-x509', ...ecKey, '-keyout', file('ca.key'), '-out', file('ca.pem'));
  openssl('req', ...ecKey, '-keyout', file('server.key'), '-out', file('server.csr'));
  writeFileSync(file('server.ext'), `subjectAltName=${subjectAltName}\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.pem'),
  );
  return {
    caPath: file('ca.pem'),
    key: readFileSync(file('server.key'), 'utf8'),
    cert: readFileSync(file('server.pem'), 'utf8'),
  };
}

interface FunctionRun {
  readonly result: { ok: boolean; timedOut: boolean };
  readonly warnings: string;
}

async function runFunction(endpoint: string, extraCaPath?: string): Promise<FunctionRun> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_SERVICE_NAME: 'https-consumer',
  };
  if (extraCaPath !== undefined) env.NODE_EXTRA_CA_CERTS = extraCaPath;
  const { stdout, stderr } = await runFile(process.execPath, [exportOnce], { env });
  return { result: JSON.parse(stdout) as FunctionRun['result'], warnings: stderr };
}

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'tracebridge-https-'));
  certificates = issueCertificates(workspace, 'DNS:localhost,IP:127.0.0.1');
});

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

afterAll(() => {
  rmSync(workspace, { recursive: true, force: true });
});

describe('OTLP over https', () => {
  it('delivers every span to a collector whose CA the function trusts, by host name', async () => {
    receiver = await startOtlpReceiver({ tls: { ...certificates, host: 'localhost' } });

    const run = await runFunction(receiver.endpoint, certificates.caPath);

    expect(run.result).toEqual({ ok: true, timedOut: false });
    expect(run.warnings).toBe('');
    expect(receiver.spanNames().sort()).toEqual(['first over tls', 'second over tls']);
    const [received] = receiver.exports;
    expect(received?.headers['content-type']).toBe('application/x-protobuf');
    expect(received?.headers.host).toBe(`localhost:${new URL(receiver.endpoint).port}`);
  });

  it('delivers to an address endpoint whose certificate names that address', async () => {
    receiver = await startOtlpReceiver({ tls: { ...certificates, host: '127.0.0.1' } });

    const run = await runFunction(receiver.endpoint, certificates.caPath);

    expect(run.result).toEqual({ ok: true, timedOut: false });
    expect(receiver.spanNames()).toHaveLength(2);
  });

  it('refuses a collector signed by a CA the function does not trust, with one warning', async () => {
    receiver = await startOtlpReceiver({ tls: { ...certificates, host: 'localhost' } });

    const run = await runFunction(receiver.endpoint);

    expect(run.result.ok).toBe(false);
    expect(receiver.exports).toHaveLength(0);
    const warnings = run.warnings.trim().split('\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/tracebridge/i);
    expect(warnings[0]).toMatch(/certificate/i);
  });

  it('refuses a certificate that names another host', async () => {
    const wrongName = issueCertificates(
      mkdtempSync(join(workspace, 'other-')),
      'DNS:collector.example',
    );
    receiver = await startOtlpReceiver({ tls: { ...wrongName, host: 'localhost' } });

    const run = await runFunction(receiver.endpoint, wrongName.caPath);

    expect(run.result.ok).toBe(false);
    expect(receiver.exports).toHaveLength(0);
    expect(run.warnings).toMatch(/localhost/);
  });
});
