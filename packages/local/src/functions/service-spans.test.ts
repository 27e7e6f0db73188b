import { randomUUID } from 'node:crypto';

import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';

import type { FunctionSpec } from '../model.js';
import { createServiceSpans, LambdaOrigin, XRAY_ORIGIN_ATTRIBUTE } from './service-spans.js';

const spec: FunctionSpec = {
  logicalId: 'SqsConsumerFunction',
  functionName: 'orders-consumer',
  codeUri: '/app/src',
  handler: 'sqs-consumer.handler',
  runtime: 'nodejs20.x',
  timeoutSeconds: 10,
  memoryMb: 256,
  tracing: 'Active',
  environment: {},
  build: undefined,
};

const ok = { status: 'ok', payload: null, durationMs: 5 } as const;

describe('createServiceSpans', () => {
  it("emits the service's and the function's segment, the function's in the trace header", () => {
    const exporter = new InMemorySpanExporter();
    const requestId = randomUUID();
    const invocation = createServiceSpans(exporter).start(spec, requestId);
    invocation.end(ok, true);

    const [fn, service] = exporter.getFinishedSpans();
    expect(service?.attributes).toEqual({
      [XRAY_ORIGIN_ATTRIBUTE]: LambdaOrigin.Service,
      'faas.invocation_id': requestId,
      'aws.request_id': requestId,
    });
    expect(fn?.attributes).toEqual({
      [XRAY_ORIGIN_ATTRIBUTE]: LambdaOrigin.Function,
      'faas.invocation_id': requestId,
      'faas.coldstart': true,
    });
    expect(fn?.parentSpanContext?.spanId).toBe(service?.spanContext().spanId);
    expect(service?.parentSpanContext).toBeUndefined();
    for (const span of [fn, service]) {
      expect(span?.name).toBe('orders-consumer');
      expect(span?.kind).toBe(SpanKind.SERVER);
      expect(span?.status.code).toBe(SpanStatusCode.UNSET);
      expect(span?.resource.attributes).toMatchObject({
        'service.name': 'orders-consumer',
        'cloud.provider': 'aws',
        'cloud.platform': 'aws_lambda',
        'cloud.resource_id': 'arn:aws:lambda:us-east-1:000000000000:function:orders-consumer',
        'faas.name': 'orders-consumer',
      });
    }
    const { traceId, spanId } = fn!.spanContext();
    expect(invocation.traceHeader).toBe(
      `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${spanId};Sampled=1`,
    );
  });

  it('starts a new trace for every invocation', () => {
    const exporter = new InMemorySpanExporter();
    const spans = createServiceSpans(exporter);
    spans.start(spec, randomUUID()).end(ok, true);
    spans.start(spec, randomUUID()).end(ok, false);
    const traceIds = new Set(exporter.getFinishedSpans().map((span) => span.spanContext().traceId));
    expect(traceIds.size).toBe(2);
  });

  it('marks both spans as errors and records the exception on the function span', () => {
    const exporter = new InMemorySpanExporter();
    createServiceSpans(exporter).start(spec, randomUUID()).end(
      {
        status: 'timeout',
        errorType: 'Sandbox.Timedout',
        errorMessage: 'Task timed out',
        durationMs: 1,
      },
      false,
    );
    const [fn, service] = exporter.getFinishedSpans();
    for (const span of [fn, service]) {
      expect(span?.status).toEqual({
        code: SpanStatusCode.ERROR,
        message: 'Sandbox.Timedout: Task timed out',
      });
    }
    expect(fn?.events[0]?.attributes).toMatchObject({
      'exception.type': 'Sandbox.Timedout',
      'exception.message': 'Task timed out',
    });
    expect(service?.events).toHaveLength(0);
  });

  it('emits nothing for PassThrough tracing, and a header with a Root only', () => {
    const exporter = new InMemorySpanExporter();
    const invocation = createServiceSpans(exporter).start(
      { ...spec, tracing: 'PassThrough' },
      randomUUID(),
    );
    invocation.end(ok, true);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(invocation.traceHeader).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('still hands out a valid header when nothing exports the spans', () => {
    const invocation = createServiceSpans(undefined).start(spec, randomUUID());
    expect(invocation.traceHeader).toMatch(
      /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/,
    );
  });
});
