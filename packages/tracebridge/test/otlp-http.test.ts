// The OTLP/HTTP exporter against a real receiver on 127.0.0.1, driven the way a Lambda
// consumer drives it: spans end, then a flush with a deadline must deliver them or say why not.

import { trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushTracing, initTracing } from '../src/setup/index.js';
import { resetTracing } from '../src/setup/test-support/reset.js';
import { captureDiagnostics, settlesWithin } from './support/diag.js';
import { closedPort, type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.js';

// Far beyond any deadline below: only a hang misses it.
const GUARD_MS = 3_000;

function endSpans(count: number, prefix = 'span'): string[] {
  const names = Array.from({ length: count }, (_, i) => `${prefix} ${i}`);
  for (const name of names) trace.getTracer('e2e').startSpan(name).end();
  return names;
}

let receiver: OtlpReceiver;

beforeEach(async () => {
  receiver = await startOtlpReceiver();
});

afterEach(async () => {
  // Closing the receiver ends the requests it left hanging; the flush then collects their
  // failures, so no warning of this test lands in the next one.
  await receiver.close();
  await flushTracing(GUARD_MS);
  resetTracing();
});

describe('forceFlush with a collector listening', () => {
  it('has delivered every span when it resolves', async () => {
    const tracing = initTracing({
      logLevel: 'none',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SERVICE_NAME: 'consumer' },
    });
    const names = endSpans(25);

    const result = await tracing.forceFlush(2_000);

    expect(result).toEqual({ ok: true, timedOut: false });
    expect(receiver.spanNames().sort()).toEqual([...names].sort());
    const [received] = receiver.exports;
    expect(received?.headers['content-type']).toBe('application/x-protobuf');
    expect(received?.request.resourceSpans[0]?.resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'consumer' },
    });
  });

  it('also waits for an export the batch processor had started on its own timer', async () => {
    const tracing = initTracing({
      logLevel: 'none',
      batch: { scheduledDelayMillis: 1 },
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint },
    });
    receiver.behave({ delayMs: 300 });
    endSpans(3, 'early');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.exports).toHaveLength(1);
    expect(receiver.answered()).toBe(0);
    // The flush's own export is answered at once; only waiting for the first one is slow.
    receiver.behave({});
    endSpans(2, 'late');

    const result = await settlesWithin(tracing.forceFlush(2_000), GUARD_MS);

    expect(result).toEqual({ ok: true, timedOut: false });
    expect(receiver.answered()).toBe(receiver.exports.length);
    expect(receiver.spanNames()).toHaveLength(5);
  });

  it('sends OTLP/JSON when OTEL_EXPORTER_OTLP_PROTOCOL says http/json', async () => {
    const tracing = initTracing({
      logLevel: 'none',
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
    });
    const names = endSpans(4);

    await expect(tracing.forceFlush(2_000)).resolves.toEqual({ ok: true, timedOut: false });

    expect(receiver.exports[0]?.headers['content-type']).toBe('application/json');
    expect(receiver.spanNames().sort()).toEqual([...names].sort());
  });

  it('sends the configured headers, gzip-compressed when asked', async () => {
    const tracing = initTracing({
      logLevel: 'none',
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces`,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cret,x-tenant=acme%20corp',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      },
    });
    endSpans(2);

    await expect(tracing.forceFlush(2_000)).resolves.toEqual({ ok: true, timedOut: false });

    expect(receiver.exports[0]?.headers).toMatchObject({
      'x-api-key': 's3cret',
      'x-tenant': 'acme corp',
      'content-encoding': 'gzip',
    });
    expect(receiver.spanNames()).toHaveLength(2);
  });

  it('sends each header once, names merged regardless of case, with a configured host', async () => {
    const tracing = initTracing({
      logLevel: 'none',
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces`,
        OTEL_EXPORTER_OTLP_HEADERS: 'X-Tenant=generic,Host=collector.internal',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=traces',
      },
    });
    endSpans(1);

    await expect(tracing.forceFlush(2_000)).resolves.toEqual({ ok: true, timedOut: false });

    const raw = receiver.exports[0]?.rawHeaders ?? [];
    const names = raw.filter((_, index) => index % 2 === 0).map((name) => name.toLowerCase());
    expect(names.toSorted()).toEqual(['content-length', 'content-type', 'host', 'x-tenant']);
    expect(receiver.exports[0]?.headers).toMatchObject({
      host: 'collector.internal',
      'x-tenant': 'traces',
    });
  });

  it('keeps one connection alive across flushes', async () => {
    const tracing = initTracing({
      logLevel: 'none',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint },
    });

    for (let i = 0; i < 3; i++) {
      endSpans(1, `invocation ${i}`);
      await expect(tracing.forceFlush(2_000)).resolves.toEqual({ ok: true, timedOut: false });
    }

    expect(receiver.exports).toHaveLength(3);
    expect(receiver.connections()).toBe(1);
  });

  it('reports an error answer, quoting the collector, with one warning', async () => {
    const tracing = initTracing({
      logLevel: 'none',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint },
    });
    const { warnings, errors } = captureDiagnostics();
    receiver.behave({ status: 400, body: 'unknown field' });
    endSpans(2);

    const result = await tracing.forceFlush(2_000);

    expect(result).toMatchObject({ ok: false, timedOut: false });
    expect(result.error?.message).toMatch(/answered 400: unknown field/);
    expect(warnings).toEqual([
      `tracebridge: OTLP export of 2 span(s) to ${receiver.endpoint}/v1/traces failed: the collector answered 400: unknown field`,
    ]);
    expect(errors).toEqual([]);
  });
});

describe('forceFlush after a flush that timed out', () => {
  it('reports the failure of its own export, while the abandoned flush still waits', async () => {
    const tracing = initTracing({
      logLevel: 'none',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint },
    });
    // The first export fails after the second: the abandoned flush, done waiting first, takes
    // the failure both flushes share.
    receiver.behave({ delayMs: 300, status: 503, body: 'shutting down' });
    endSpans(1, 'first invocation');
    const abandoned = await settlesWithin(tracing.forceFlush(50), GUARD_MS);
    expect(abandoned).toMatchObject({ ok: false, timedOut: true });

    receiver.behave({ status: 503, body: 'shutting down' });
    endSpans(1, 'second invocation');
    const result = await settlesWithin(tracing.forceFlush(2_000), GUARD_MS);

    expect(receiver.exports).toHaveLength(2);
    expect(result).toMatchObject({ ok: false, timedOut: false });
    expect(result.error?.message).toMatch(/answered 503: shutting down/);
  });
});

describe('forceFlush with the collector down', () => {
  it('resolves with a failure and exactly one clear warning', async () => {
    const port = await closedPort();
    const tracing = initTracing({
      logLevel: 'none',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    const { warnings, errors } = captureDiagnostics();
    endSpans(3);

    const result = await settlesWithin(tracing.forceFlush(1_000), GUARD_MS);

    expect(result).toMatchObject({ ok: false, timedOut: false });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^tracebridge: OTLP export of 3 span\\(s\\) to http://127\\.0\\.0\\.1:${port}/v1/traces failed: connect ECONNREFUSED .*is a collector listening there\\?`,
      ),
    );
    expect(errors).toEqual([]);
    await expect(tracing.forceFlush(1_000)).resolves.toEqual({ ok: true, timedOut: false });
    expect(warnings).toHaveLength(1);
  });
});

describe('forceFlush with a collector that does not answer', () => {
  it('still resolves by its deadline, saying it timed out', async () => {
    const tracing = initTracing({
      logLevel: 'none',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint },
    });
    receiver.behave({ delayMs: Infinity });
    endSpans(2);

    const result = await settlesWithin(tracing.forceFlush(200), GUARD_MS);

    expect(result).toMatchObject({ ok: false, timedOut: true });
    expect(receiver.exports).toHaveLength(1);
  });

  it('gives up on the request after the OTLP timeout, with one warning', async () => {
    const tracing = initTracing({
      logLevel: 'none',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_TIMEOUT: '150' },
    });
    const { warnings } = captureDiagnostics();
    receiver.behave({ delayMs: Infinity });
    endSpans(1);

    const result = await settlesWithin(tracing.forceFlush(2_000), GUARD_MS);

    expect(result).toMatchObject({ ok: false, timedOut: false });
    expect(warnings).toEqual([expect.stringMatching(/failed: no answer within 150 ms$/)]);
  });
});
