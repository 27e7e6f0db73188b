// The X-Ray exporter against a UDP listener on 127.0.0.1 that decodes every datagram the way
// the X-Ray daemon would: header line, T1S/T1U, base64 of an OTLP protobuf request.

import { TraceFlags, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_DATAGRAM_BYTES, XRayDaemonExporter } from '../src/setup/exporters/xray-daemon.js';
import { initTracing } from '../src/setup/index.js';
import { bulkySpans } from '../src/setup/test-support/spans.js';
import { resetTracing } from '../src/setup/test-support/reset.js';
import { captureDiagnostics } from './support/diag.js';
import { DATAGRAM_HEADER, startXRayListener, type XRayListener } from './support/xray-listener.js';

let listener: XRayListener;

beforeEach(async () => {
  listener = await startXRayListener();
});

afterEach(async () => {
  resetTracing();
  await listener.close();
});

function receivedNames(): string[] {
  return listener.datagrams.flatMap((datagram) => datagram.spans.map((span) => span.name));
}

/** The same span, recorded but not sampled (the BatchSpanProcessor would drop it). */
function unsampled(span: ReadableSpan): ReadableSpan {
  const spanContext = { ...span.spanContext(), traceFlags: TraceFlags.NONE };
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => spanContext,
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

function exportWith(exporter: XRayDaemonExporter, spans: ReadableSpan[]): Promise<unknown> {
  return new Promise((resolve) => {
    exporter.export(spans, resolve);
  });
}

describe('the xray exporter', () => {
  it('sends sampled spans to AWS_XRAY_DAEMON_ADDRESS in the daemon format', async () => {
    const tracing = initTracing({
      logLevel: 'none',
      env: {
        OTEL_TRACES_EXPORTER: 'xray',
        AWS_XRAY_DAEMON_ADDRESS: listener.address,
        AWS_LAMBDA_FUNCTION_NAME: 'orders',
      },
    });
    for (const name of ['a', 'b', 'c']) trace.getTracer('e2e').startSpan(name).end();

    await expect(tracing.forceFlush(1_000)).resolves.toEqual({ ok: true, timedOut: false });

    await vi.waitFor(() => {
      expect(receivedNames().sort()).toEqual(['a', 'b', 'c']);
    });
    expect(listener.datagrams).toHaveLength(1);
    expect(listener.datagrams[0]).toMatchObject({ header: DATAGRAM_HEADER, prefix: 'T1S' });
    expect(listener.datagrams[0]?.spans[0]?.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('splits a large batch so that every datagram stays under 64 KiB', async () => {
    const [host, port] = listener.address.split(':');
    const exporter = new XRayDaemonExporter(host ?? '', Number(port));
    // Two datagrams' worth: enough to need a split, little enough for a default receive buffer.
    const spans = bulkySpans(14, 5_000);

    await expect(exportWith(exporter, spans)).resolves.toEqual({ code: 0 });
    await exporter.forceFlush();

    await vi.waitFor(() => {
      expect(receivedNames()).toHaveLength(14);
    });
    expect(listener.datagrams.length).toBeGreaterThan(1);
    for (const datagram of listener.datagrams) {
      expect(datagram.bytes).toBeLessThanOrEqual(MAX_DATAGRAM_BYTES);
      expect(datagram.bytes).toBeLessThan(64 * 1024);
    }
    expect(new Set(receivedNames()).size).toBe(14);
    await exporter.shutdown();
  });

  it('marks unsampled spans T1U', async () => {
    const [host, port] = listener.address.split(':');
    const exporter = new XRayDaemonExporter(host ?? '', Number(port));
    const [sampled, other] = bulkySpans(2, 10);
    if (!sampled || !other) throw new Error('no spans');

    await exportWith(exporter, [sampled, unsampled(other)]);

    await vi.waitFor(() => {
      expect(listener.datagrams).toHaveLength(2);
    });
    const prefixOf = (name: string): string | undefined =>
      listener.datagrams.find((datagram) => datagram.spans.some((span) => span.name === name))
        ?.prefix;
    expect(prefixOf(sampled.name)).toBe('T1S');
    expect(prefixOf(other.name)).toBe('T1U');
    await exporter.shutdown();
  });

  it('drops a span too large for any datagram, with one warning naming it', async () => {
    const tracing = initTracing({
      logLevel: 'none',
      exporters: ['xray'],
      xrayDaemonAddress: listener.address,
      env: {},
    });
    const { warnings } = captureDiagnostics();
    trace.getTracer('e2e').startSpan('fits').end();
    trace
      .getTracer('e2e')
      .startSpan('too big', { attributes: { payload: 'x'.repeat(70_000) } })
      .end();

    const result = await tracing.forceFlush(1_000);

    expect(result).toMatchObject({ ok: false, timedOut: false });
    expect(warnings).toEqual([expect.stringMatching(/dropped 1 span\(s\) \("too big"\)/)]);
    await vi.waitFor(() => {
      expect(receivedNames()).toEqual(['fits']);
    });
  });
});
