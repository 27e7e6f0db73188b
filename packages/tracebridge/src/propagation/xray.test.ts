import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contextWith, remoteSpanContext } from '../test-support/records.js';
import { formatXRayHeader, parseXRayHeader, XRayPropagator } from './xray.js';

const HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

describe('formatXRayHeader', () => {
  it('writes Root, Parent and Sampled in X-Ray format', () => {
    expect(formatXRayHeader(remoteSpanContext())).toBe(HEADER);
  });

  it('writes Sampled=0 for an unsampled span', () => {
    expect(formatXRayHeader(remoteSpanContext({ traceFlags: TraceFlags.NONE }))).toBe(
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0',
    );
  });
});

describe('parseXRayHeader', () => {
  it('reads a complete header as a remote, sampled span context', () => {
    expect(parseXRayHeader(HEADER)).toEqual({
      traceId: '5759e988bd862e3fe1be46a994272793',
      spanId: '53995c3f42cd8ad8',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
  });

  it.each([
    [
      'fields in another order',
      'Sampled=1;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793',
    ],
    [
      'spaces around fields',
      ' Root = 1-5759e988-bd862e3fe1be46a994272793 ; Parent=53995c3f42cd8ad8 ;Sampled=1',
    ],
    [
      'upper-case hex and keys',
      'ROOT=1-5759E988-BD862E3FE1BE46A994272793;PARENT=53995C3F42CD8AD8;SAMPLED=1',
    ],
    [
      'Self and Lineage fields',
      `${HEADER};Self=1-5759e988-aaaaaaaaaaaaaaaaaaaaaaaa;Lineage=a87bd80c:1|68fd508a:5`,
    ],
    ['a trailing semicolon', `${HEADER};`],
  ])('accepts %s', (_name, header) => {
    const spanContext = parseXRayHeader(header);
    expect(spanContext?.traceId).toBe('5759e988bd862e3fe1be46a994272793');
    expect(spanContext?.spanId).toBe('53995c3f42cd8ad8');
    expect(spanContext?.traceFlags).toBe(TraceFlags.SAMPLED);
  });

  it.each([
    ['Sampled=0', 'Sampled=0'],
    ['Sampled=?', 'Sampled=?'],
    ['no Sampled field', ''],
  ])('reads %s as not sampled', (_name, sampled) => {
    const header = `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;${sampled}`;
    expect(parseXRayHeader(header)?.traceFlags).toBe(TraceFlags.NONE);
  });

  it.each([
    ['an empty string', ''],
    [
      'no Parent (a Lambda header before the function starts a segment)',
      'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
    ],
    ['no Root', 'Parent=53995c3f42cd8ad8;Sampled=1'],
    ['root version 2', 'Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8'],
    ['a short root', 'Root=1-5759e988-bd862e3fe1be46a99427279;Parent=53995c3f42cd8ad8'],
    ['a non-hex root', 'Root=1-5759e98g-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8'],
    ['a short parent', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad'],
    ['an all-zero trace id', 'Root=1-00000000-000000000000000000000000;Parent=53995c3f42cd8ad8'],
    ['an all-zero parent', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000'],
    ['a W3C traceparent', '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01'],
    ['fields without values', 'Root;Parent;Sampled'],
    ['a header over 1 KiB', `${HEADER};Lineage=${'a'.repeat(1024)}`],
  ])('rejects %s', (_name, header) => {
    expect(parseXRayHeader(header)).toBeUndefined();
  });

  it('round-trips every valid span context through formatXRayHeader (property)', () => {
    const hexId = (length: number) =>
      fc.string({
        unit: fc.nat({ max: 15 }).map((digit) => digit.toString(16)),
        minLength: length,
        maxLength: length,
      });
    fc.assert(
      fc.property(
        hexId(32).filter((id) => /[1-9a-f]/.test(id)),
        hexId(16).filter((id) => /[1-9a-f]/.test(id)),
        fc.constantFrom(TraceFlags.NONE, TraceFlags.SAMPLED),
        (traceId, spanId, traceFlags) => {
          const spanContext = { traceId, spanId, traceFlags, isRemote: true };
          expect(parseXRayHeader(formatXRayHeader(spanContext))).toEqual(spanContext);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('XRayPropagator', () => {
  const propagator = new XRayPropagator();

  it('injects the X-Amzn-Trace-Id field', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(contextWith(), carrier, defaultTextMapSetter);
    expect(carrier).toEqual({ 'X-Amzn-Trace-Id': HEADER });
    expect(propagator.fields()).toEqual(['X-Amzn-Trace-Id']);
  });

  it('injects nothing without a valid span', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(ROOT_CONTEXT, carrier, defaultTextMapSetter);
    propagator.inject(
      contextWith(remoteSpanContext({ spanId: '0000000000000000' })),
      carrier,
      defaultTextMapSetter,
    );
    expect(carrier).toEqual({});
  });

  it('extracts a header, also from an array value', () => {
    for (const value of [HEADER, [HEADER, 'Root=garbage']]) {
      const context = propagator.extract(
        ROOT_CONTEXT,
        { 'X-Amzn-Trace-Id': value },
        defaultTextMapGetter,
      );
      expect(trace.getSpanContext(context)).toEqual(remoteSpanContext());
    }
  });

  it('returns the given context for a missing or malformed header', () => {
    for (const carrier of [{}, { 'X-Amzn-Trace-Id': 'Root=1-x' }, { 'X-Amzn-Trace-Id': 42 }]) {
      expect(propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter)).toBe(ROOT_CONTEXT);
    }
  });
});

describe('XRayPropagator with lower-cased HTTP headers', () => {
  it('reads x-amzn-trace-id as well', () => {
    const headers = {
      'x-amzn-trace-id':
        'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    };
    const context = new XRayPropagator().extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    expect(trace.getSpanContext(context)?.spanId).toBe('53995c3f42cd8ad8');
  });
});
