import { decodeExportTraceServiceRequest } from '@tracebridge/local/collector';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { bulkySpans, sampleSpans } from '../../test-support/spans.js';
import { encodeTraceRequest } from './protobuf.js';

function official(spans: ReadableSpan[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error('the official serializer returned nothing');
  return bytes;
}

describe('encodeTraceRequest', () => {
  it('decodes to exactly what the official serializer encodes', () => {
    const spans = sampleSpans();

    const ours = decodeExportTraceServiceRequest(encodeTraceRequest(spans));

    expect(ours).toEqual(decodeExportTraceServiceRequest(official(spans)));
    expect(ours.resourceSpans).toHaveLength(2);
    expect(ours.resourceSpans[0]?.scopeSpans[0]?.spans[1]?.droppedAttributesCount).toBeGreaterThan(
      0,
    );
  });

  it('matches the official encoding for batches whose lengths need multi-byte varints', () => {
    for (const [count, bytesEach] of [
      [1, 100],
      [1, 127],
      [1, 16_400],
      [300, 40],
      [20, 70_000],
    ] as const) {
      const spans = bulkySpans(count, bytesEach);

      const ours = encodeTraceRequest(spans);

      expect(decodeExportTraceServiceRequest(ours)).toEqual(
        decodeExportTraceServiceRequest(official(spans)),
      );
    }
  });

  it('is no larger than the official encoding, which also writes default values', () => {
    const spans = sampleSpans();

    expect(encodeTraceRequest(spans).length).toBeLessThanOrEqual(official(spans).length);
  });

  it('encodes an empty batch as an empty request', () => {
    expect(encodeTraceRequest([])).toHaveLength(0);
  });
});
