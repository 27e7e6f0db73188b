// The X-Ray daemon listener against tracebridge's `xray` exporter, and against datagrams
// that are anything but what it expects.

import dgram from 'node:dgram';
import { trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeTraceRequest } from '../../../tracebridge/src/setup/exporters/otlp/protobuf.js';
import { initTracing } from '../../../tracebridge/src/setup/index.js';
import { bulkySpans } from '../../../tracebridge/src/setup/test-support/spans.js';
import { resetTracing } from '../../../tracebridge/src/setup/test-support/reset.js';
import { type RunningCollector, startCollector } from './server.js';
import { parseXRayDatagram, XRayDatagramError } from './xray-udp.js';

const HEADER = '{"format":"json","version":1}\n';

let collector: RunningCollector;
let sender: dgram.Socket;

beforeAll(async () => {
  collector = await startCollector({ port: 0, xrayPort: 0 });
  sender = dgram.createSocket('udp4');
});

afterAll(async () => {
  sender.close();
  await collector.close();
});

afterEach(() => {
  resetTracing();
});

function send(datagram: string | Buffer): Promise<void> {
  const [host, port] = (collector.xrayAddress ?? '').split(':');
  return new Promise((resolve, reject) => {
    sender.send(datagram, Number(port), host, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

/** A well-formed datagram of `spanCount` spans, each the root of its own trace. */
function datagramOf(
  spanCount: number,
  prefix = 'T1S',
): { datagram: Buffer; base64: string; traceIds: string[] } {
  const spans = bulkySpans(spanCount, 10);
  const base64 = Buffer.from(encodeTraceRequest(spans)).toString('base64');
  return {
    datagram: Buffer.from(`${HEADER}${prefix}${base64}`),
    base64,
    traceIds: spans.map((span) => span.spanContext().traceId),
  };
}

describe('the X-Ray daemon listener', () => {
  it("stores what tracebridge's xray exporter sends, with the function's service name", async () => {
    const tracing = initTracing({
      logLevel: 'none',
      env: {
        OTEL_TRACES_EXPORTER: 'xray',
        AWS_XRAY_DAEMON_ADDRESS: collector.xrayAddress,
        AWS_LAMBDA_FUNCTION_NAME: 'orders-consumer',
      },
    });
    const tracer = trace.getTracer('xray-test');
    const traceId = tracer.startActiveSpan('handler', (parent) => {
      tracer.startSpan('step').end();
      parent.end();
      return parent.spanContext().traceId;
    });

    await expect(tracing.forceFlush(5_000)).resolves.toEqual({ ok: true, timedOut: false });

    await collector.store.waitFor(() => collector.store.getTrace(traceId)?.summary.spanCount === 2);
    expect(collector.store.getTrace(traceId)?.summary).toMatchObject({
      rootName: 'handler',
      rootService: 'orders-consumer',
      hasRoot: true,
    });
  });

  it('counts malformed datagrams, ignores them and keeps listening', async () => {
    const before = collector.stats().xray;
    const garbage = [
      '',
      'no header line at all',
      `{"format":"json","version":2}\nT1S${datagramOf(1).base64}`,
      `not json\nT1S AAAA`,
      `${HEADER}{"trace_id":"1-5759e988-bd862e3fe1be46a994272793","name":"segment"}`,
      `${HEADER}T1S!!!! not base64 !!!!`,
      `${HEADER}T1SCAE=`,
      Buffer.concat([Buffer.from(HEADER), Buffer.from([0xff, 0xfe, 0x00, 0x80])]),
    ];

    const unsampled = datagramOf(3, 'T1U');
    for (const datagram of garbage) await send(datagram);
    await send(unsampled.datagram);

    await vi.waitFor(() => {
      expect(collector.stats().xray?.datagramsReceived).toBe(
        (before?.datagramsReceived ?? 0) + garbage.length + 1,
      );
    });
    expect(collector.stats().xray).toMatchObject({
      datagramsMalformed: (before?.datagramsMalformed ?? 0) + garbage.length,
      datagramsAccepted: (before?.datagramsAccepted ?? 0) + 1,
    });
    // Unsampled spans are stored like the others.
    for (const traceId of unsampled.traceIds) {
      expect(collector.store.getTrace(traceId)?.summary.spanCount).toBe(1);
    }
  });
});

describe('parseXRayDatagram', () => {
  it('reads the header, the prefix and the base64 OTLP request', () => {
    const { datagram, base64, traceIds } = datagramOf(2);

    const { request, contentType, body } = parseXRayDatagram(datagram);

    expect(contentType).toBe('application/x-protobuf');
    expect(request.resourceSpans[0]?.scopeSpans[0]?.spans.map((span) => span.traceId)).toEqual(
      traceIds,
    );
    expect(Buffer.from(body).toString('base64')).toBe(base64);
  });

  it.each([
    ['no header line', 'T1SAAAA'],
    ['the header is not', '{"format":"xml","version":1}\nT1SAAAA'],
    ['X-Ray segment documents are not supported', `${HEADER}{"name":"segment"}`],
    ['is not base64', `${HEADER}T1U@@@@`],
    ['the spans do not decode', `${HEADER}T1S/w==`],
  ])('says "%s" for a datagram it cannot read', (reason, datagram) => {
    expect(() => parseXRayDatagram(Buffer.from(datagram))).toThrow(XRayDatagramError);
    expect(() => parseXRayDatagram(Buffer.from(datagram))).toThrow(reason);
  });
});
