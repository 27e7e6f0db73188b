import { decodeExportTraceServiceRequest, parseOtlpJson } from '@tracebridge/local/collector';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { sampleSpans } from '../../test-support/spans.js';
import { toOtlpJson } from './json.js';

describe('toOtlpJson', () => {
  it('reads back as the same request the official JSON and protobuf serializers write', () => {
    const spans = sampleSpans();
    const officialJson = JsonTraceSerializer.serializeRequest(spans);
    const officialProtobuf = ProtobufTraceSerializer.serializeRequest(spans);
    if (!officialJson || !officialProtobuf)
      throw new Error('the official serializers returned nothing');

    const ours = parseOtlpJson(JSON.parse(JSON.stringify(toOtlpJson(spans))));

    expect(ours).toEqual(parseOtlpJson(JSON.parse(new TextDecoder().decode(officialJson))));
    expect(ours).toEqual(decodeExportTraceServiceRequest(officialProtobuf));
  });

  it('writes ids in hex and 64-bit integers as decimal strings, as OTLP/JSON specifies', () => {
    const span = sampleSpans().find((candidate) => candidate.name === 'parent');
    if (!span) throw new Error('no span');

    const json = JSON.stringify(toOtlpJson([span]));

    expect(json).toContain(`"traceId":"${span.spanContext().traceId}"`);
    expect(json).toContain('"startTimeUnixNano":"1700000000123456789"');
    expect(json).toContain('{"key":"huge","value":{"intValue":"1152921504606846976"}}');
  });

  it('spells non-finite doubles the way proto3 JSON does', () => {
    const [span] = sampleSpans();
    if (!span) throw new Error('no span');
    const odd = {
      ...span,
      attributes: { nan: NaN, inf: -Infinity },
      spanContext: span.spanContext,
    };

    const json = JSON.stringify(toOtlpJson([odd]));

    expect(json).toContain('{"key":"nan","value":{"doubleValue":"NaN"}}');
    expect(json).toContain('{"key":"inf","value":{"doubleValue":"-Infinity"}}');
  });
});
