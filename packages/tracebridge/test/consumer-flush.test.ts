// The consumer wrappers as a function runs them: initTracing's exporter, a real OTLP/HTTP
// receiver on 127.0.0.1 decoding the protobuf, and the flush the wrappers end every call with.

import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tracedHandler, tracedRecordHandler } from '../src/index.js';
import { flushTracing, initTracing } from '../src/setup/index.js';
import { resetTracing } from '../src/setup/test-support/reset.js';
import { lambdaContext } from '../src/test-support/lambda-context.js';
import {
  numberedSpanContext,
  sqsAttribute,
  sqsRecord,
  traceparentOf,
} from '../src/test-support/records.js';
import { captureDiagnostics } from './support/diag.js';
import { closedPort, type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.js';

let receiver: OtlpReceiver;

beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await receiver.close();
  await flushTracing(3_000);
  resetTracing();
});

const batch = () =>
  Array.from({ length: 3 }, (_, index) =>
    sqsRecord({
      messageAttributes: {
        traceparent: sqsAttribute(traceparentOf(numberedSpanContext(index + 1))),
      },
    }),
  );

describe('the wrappers flush before the handler promise resolves', () => {
  it('has delivered the invocation span and every record span when the handler resolves', async () => {
    initTracing({
      logLevel: 'none',
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        AWS_LAMBDA_FUNCTION_NAME: 'orders-consumer',
      },
    });
    const handler = tracedRecordHandler(() => undefined);
    const response = await handler({ Records: batch() }, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(receiver.spanNames().sort()).toEqual([
      'orders-consumer',
      'process orders',
      'process orders',
      'process orders',
    ]);
    const resource = receiver.exports[0]?.request.resourceSpans[0]?.resource.attributes ?? [];
    expect(resource).toContainEqual({
      key: 'cloud.resource_id',
      value: { stringValue: 'arn:aws:lambda:us-east-2:123456789012:function:orders-consumer' },
    });
  });

  it('has delivered the spans of an invocation whose handler throws, and re-throws', async () => {
    initTracing({ logLevel: 'none', env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint } });
    const error = new Error('payment service down');
    const handler = tracedHandler(async () => Promise.reject(error));
    await expect(handler({}, lambdaContext())).rejects.toBe(error);
    expect(receiver.spanNames()).toEqual(['orders-consumer']);
  });

  it('returns its own result within the deadline, with one warning, when the collector is down', async () => {
    const diagnostics = captureDiagnostics();
    const port = await closedPort();
    initTracing({
      logLevel: 'none',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    const context = lambdaContext(2_000);
    const handler = tracedRecordHandler(() => undefined);
    const response = await handler({ Records: batch() }, context);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(diagnostics.warnings).toHaveLength(1);
    expect(diagnostics.warnings[0]).toMatch(/ECONNREFUSED|refused|export/i);
  });

  it('returns its own result by the deadline when the collector accepts but never answers', async () => {
    initTracing({ logLevel: 'none', env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint } });
    receiver.behave({ delayMs: Infinity });
    const context = lambdaContext(600);
    const result = await tracedHandler(async () => Promise.resolve('mine'), { flushMarginMs: 100 })(
      {},
      context,
    );
    expect(result).toBe('mine');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });
});

describe("an application's own provider", () => {
  it('is kept by initTracing and used and flushed by the wrappers', async () => {
    const exporter = new InMemorySpanExporter();
    const own = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 })],
    });
    trace.setGlobalTracerProvider(own);
    const tracing = initTracing({
      logLevel: 'none',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint },
    });
    expect(tracing.external).toBe(true);
    await tracedRecordHandler(() => undefined)({ Records: batch() }, lambdaContext());
    expect(
      exporter
        .getFinishedSpans()
        .map((span) => span.name)
        .sort(),
    ).toEqual(['orders-consumer', 'process orders', 'process orders', 'process orders']);
    expect(receiver.exports).toHaveLength(0);
    await own.shutdown();
  });
});
