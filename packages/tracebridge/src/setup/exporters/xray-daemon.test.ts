import { decodeExportTraceServiceRequest } from '@tracebridge/local/collector';
import { describe, expect, it } from 'vitest';
import { bulkySpans } from '../test-support/spans.js';
import { MAX_DATAGRAM_BYTES, packDatagrams } from './xray-daemon.js';

const HEADER = '{"format":"json","version":1}\n';

function spanNamesIn(datagram: Buffer): string[] {
  const text = datagram.toString('utf8');
  expect(text.startsWith(`${HEADER}T1S`)).toBe(true);
  const request = decodeExportTraceServiceRequest(
    Buffer.from(text.slice(HEADER.length + 3), 'base64'),
  );
  return request.resourceSpans.flatMap((resource) =>
    resource.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.name)),
  );
}

describe('packDatagrams', () => {
  it('puts a small batch in one datagram', () => {
    const { datagrams, tooLarge } = packDatagrams(bulkySpans(3, 10), 'T1S');

    expect(datagrams).toHaveLength(1);
    expect(tooLarge).toEqual([]);
    expect(spanNamesIn(datagrams[0] ?? Buffer.alloc(0))).toEqual(['span 0', 'span 1', 'span 2']);
  });

  it('cuts a large batch into datagrams under the limit, each span in exactly one', () => {
    const spans = bulkySpans(200, 3_000);

    const { datagrams, tooLarge } = packDatagrams(spans, 'T1S');

    expect(tooLarge).toEqual([]);
    expect(datagrams.length).toBeGreaterThan(8);
    for (const datagram of datagrams)
      expect(datagram.length).toBeLessThanOrEqual(MAX_DATAGRAM_BYTES);
    expect(datagrams.flatMap(spanNamesIn)).toEqual(spans.map((span) => span.name));
  });

  it('sets aside a span that no datagram can hold', () => {
    const spans = [...bulkySpans(1, 10), ...bulkySpans(1, 50_000)];

    const { datagrams, tooLarge } = packDatagrams(spans, 'T1S');

    expect(datagrams).toHaveLength(1);
    expect(tooLarge).toEqual([spans[1]]);
  });

  it('sends nothing for no spans', () => {
    expect(packDatagrams([], 'T1U')).toEqual({ datagrams: [], tooLarge: [] });
  });
});
