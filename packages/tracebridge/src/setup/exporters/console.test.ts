import { parseOtlpJson } from '@tracebridge/local/collector';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bulkySpans } from '../test-support/spans.js';
import { ConsoleExporter } from './console.js';

describe('ConsoleExporter', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('prints each batch as one line of OTLP/JSON', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const callback = vi.fn();

    new ConsoleExporter().export(bulkySpans(3, 5), callback);

    expect(log).toHaveBeenCalledOnce();
    const line = String(log.mock.calls[0]?.[0]);
    expect(line).not.toContain('\n');
    const request = parseOtlpJson(JSON.parse(line));
    expect(request.resourceSpans[0]?.scopeSpans[0]?.spans.map((span) => span.name)).toEqual([
      'span 0',
      'span 1',
      'span 2',
    ]);
    expect(callback).toHaveBeenCalledWith({ code: ExportResultCode.SUCCESS });
  });
});
