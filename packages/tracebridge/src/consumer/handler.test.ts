import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { Callback, Context as LambdaContext } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { tracebridgeMiddleware } from '../middy.js';
import { spyOnDiag } from '../test-support/guards.js';
import { lambdaContext } from '../test-support/lambda-context.js';
import {
  numberedSpanContext,
  sqsRecord,
  sqsAttribute,
  traceparentOf,
  xrayHeaderOf,
} from '../test-support/records.js';
import { setUpTestTracing } from '../test-support/tracing.js';
import { TIMEOUT_FLUSH_LEAD_MS } from './flush.js';
import { DEFAULT_FLUSH_MARGIN_MS } from './invocation.js';
import { tracedHandler } from './handler.js';
import { tracedRecordHandler } from './records.js';

const tracing = setUpTestTracing();
afterEach(() => {
  tracing.reset();
  delete process.env._X_AMZN_TRACE_ID;
});
afterAll(() => tracing.shutdown());

/** A provider that holds spans in a batch processor until flushed, as in production. */
function batchingProvider(exporter: SpanExporter) {
  return new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 })],
  });
}

describe('tracedHandler', () => {
  it('wraps an async handler in a SERVER invocation span under the Lambda trace', async () => {
    const lambdaTrace = numberedSpanContext(42);
    process.env._X_AMZN_TRACE_ID = xrayHeaderOf(lambdaTrace);
    const handler = tracedHandler(async (event: { n: number }) => Promise.resolve(event.n * 2), {
      tracerProvider: tracing.provider,
    });
    const context = lambdaContext();
    await expect(handler({ n: 21 }, context)).resolves.toBe(42);
    await handler({ n: 1 }, lambdaContext());
    const [first, second] = tracing.spans();
    expect(first!.name).toBe('orders-consumer');
    expect(first!.kind).toBe(SpanKind.SERVER);
    expect(first!.parentSpanContext?.spanId).toBe(lambdaTrace.spanId);
    expect(first!.attributes).toMatchObject({
      'faas.trigger': 'other',
      'faas.invocation_id': context.awsRequestId,
      'cloud.resource_id': context.invokedFunctionArn,
      'cloud.account.id': '123456789012',
    });
    expect(second!.attributes['faas.coldstart']).toBe(false);
  });

  it('starts a new trace with parent "none" and uses a custom extractor when given one', async () => {
    process.env._X_AMZN_TRACE_ID = xrayHeaderOf(numberedSpanContext(42));
    const custom = numberedSpanContext(7);
    await tracedHandler(async () => Promise.resolve(), {
      tracerProvider: tracing.provider,
      invocationParent: 'none',
    })({}, lambdaContext());
    await tracedHandler(async () => Promise.resolve(), {
      tracerProvider: tracing.provider,
      invocationParent: () => trace.setSpanContext(ROOT_CONTEXT, custom),
    })({}, lambdaContext());
    const [none, extracted] = tracing.spans();
    expect(none!.parentSpanContext).toBeUndefined();
    expect(extracted!.parentSpanContext?.spanId).toBe(custom.spanId);
  });

  it('records an error and re-throws the very same error', async () => {
    const error = new RangeError('out of stock');
    const handler = tracedHandler(async () => Promise.reject(error), {
      tracerProvider: tracing.provider,
    });
    await expect(handler({}, lambdaContext())).rejects.toBe(error);
    const [span] = tracing.spans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'out of stock' });
    expect(span!.events[0]!.name).toBe('exception');
  });

  it('supports callback-style handlers, for results and for errors', async () => {
    const succeed = (_: unknown, __: LambdaContext, callback: Callback<string>) => {
      setImmediate(() => {
        callback(null, 'done');
      });
    };
    const fail = (_: unknown, __: LambdaContext, callback: Callback<string>) => {
      callback('plain string error');
    };
    await expect(
      tracedHandler(succeed, { tracerProvider: tracing.provider })({}, lambdaContext()),
    ).resolves.toBe('done');
    await expect(
      tracedHandler(fail, { tracerProvider: tracing.provider })({}, lambdaContext()),
    ).rejects.toBe('plain string error');
  });

  it('makes the invocation span active inside the handler', async () => {
    await tracedHandler(
      async () => {
        tracing.provider.getTracer('user').startSpan('inner').end();
        return Promise.resolve(context.active() === ROOT_CONTEXT);
      },
      { tracerProvider: tracing.provider },
    )({}, lambdaContext());
    expect(tracing.spanNamed('inner').parentSpanContext?.spanId).toBe(
      tracing.spanNamed('orders-consumer').spanContext().spanId,
    );
  });
});

describe('flush before freeze', () => {
  it('has exported every span before the handler promise resolves, also when it throws', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = batchingProvider(exporter);
    const ok = tracedHandler(async () => Promise.resolve('ok'), { tracerProvider: provider });
    const failing = tracedHandler(async () => Promise.reject(new Error('boom')), {
      tracerProvider: provider,
    });
    await ok({}, lambdaContext());
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    await failing({}, lambdaContext()).catch(() => undefined);
    expect(exporter.getFinishedSpans()).toHaveLength(2);
    await provider.shutdown();
  });

  it('returns the handler result within the deadline when the exporter hangs, with one warning', async () => {
    const hanging: SpanExporter = { export: () => undefined, shutdown: () => Promise.resolve() };
    const provider = batchingProvider(hanging);
    const { warnings } = spyOnDiag();
    const context = lambdaContext(150);
    const result = await tracedHandler(async () => Promise.resolve('my result'), {
      tracerProvider: provider,
    })({}, context);
    expect(result).toBe('my result');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(warnings.filter((warning) => warning.includes('did not finish'))).toHaveLength(1);
  });
});

describe('an invocation about to time out', () => {
  const INVOCATION_MS = 1_000;
  const HANG_MS = 10_000;
  // The guard fires this long before the deadline: the flush's lead plus the margin kept back.
  const GUARD_LEAD_MS = TIMEOUT_FLUSH_LEAD_MS + DEFAULT_FLUSH_MARGIN_MS;
  let warnings: string[] = [];

  afterEach(() => {
    vi.useRealTimers();
  });

  function setUp() {
    vi.useFakeTimers();
    warnings = spyOnDiag().warnings;
    const exporter = new InMemorySpanExporter();
    return { exporter, provider: batchingProvider(exporter) };
  }

  const names = (exporter: InMemorySpanExporter) =>
    exporter
      .getFinishedSpans()
      .map((span) => span.name)
      .sort();

  it('ends the invocation span as timed out and flushes the spans so far, before the deadline', async () => {
    const { exporter, provider } = setUp();
    const handler = tracedHandler(
      async () => {
        provider.getTracer('user').startSpan('before the hang').end();
        await new Promise((resolve) => setTimeout(resolve, HANG_MS));
        return 'too late';
      },
      { tracerProvider: provider },
    );
    const result = handler({}, lambdaContext(INVOCATION_MS));

    await vi.advanceTimersByTimeAsync(INVOCATION_MS - GUARD_LEAD_MS);

    expect(names(exporter)).toEqual(['before the hang', 'orders-consumer']);
    expect(
      exporter.getFinishedSpans().find((span) => span.name === 'orders-consumer')!.status,
    ).toEqual({
      code: SpanStatusCode.ERROR,
      message: `the invocation was about to time out, ${GUARD_LEAD_MS} ms before its deadline`,
    });
    expect(warnings).toEqual([expect.stringMatching(/about to time out.*flushing the spans/)]);
    // Had Lambda not stopped it, the handler's end changes nothing more.
    await vi.advanceTimersByTimeAsync(HANG_MS);
    await expect(result).resolves.toBe('too late');
    expect(names(exporter)).toEqual(['before the hang', 'orders-consumer']);
    expect(warnings.filter((warning) => warning.includes('ended Span'))).toEqual([]);
    await provider.shutdown();
  });

  it('does the same for a batch, with the record spans that have ended', async () => {
    const { exporter, provider } = setUp();
    let calls = 0;
    const handler = tracedRecordHandler(
      async () => {
        calls += 1;
        if (calls === 2) await new Promise((resolve) => setTimeout(resolve, HANG_MS));
      },
      { tracerProvider: provider },
    );
    const result = handler({ Records: [sqsRecord(), sqsRecord()] }, lambdaContext(INVOCATION_MS));

    await vi.advanceTimersByTimeAsync(INVOCATION_MS - GUARD_LEAD_MS);

    expect(names(exporter)).toEqual(['orders-consumer', 'process orders']);
    await vi.advanceTimersByTimeAsync(HANG_MS);
    await expect(result).resolves.toEqual({ batchItemFailures: [] });
    expect(warnings.filter((warning) => warning.includes('ended Span'))).toEqual([]);
    await provider.shutdown();
  });

  it('leaves the timeout flush its whole lead, however large the margin', async () => {
    vi.useFakeTimers();
    warnings = spyOnDiag().warnings;
    const delivered = new InMemorySpanExporter();
    // A collector that answers after most of the lead: a flush with no budget would give up.
    const slowExporter: SpanExporter = {
      export: (spans, done) => {
        setTimeout(() => {
          delivered.export(spans, done);
        }, TIMEOUT_FLUSH_LEAD_MS - 50);
      },
      shutdown: () => Promise.resolve(),
    };
    const provider = batchingProvider(slowExporter);
    const marginMs = TIMEOUT_FLUSH_LEAD_MS + 150;
    const result = tracedHandler(
      async () => new Promise((resolve) => setTimeout(resolve, HANG_MS)),
      { tracerProvider: provider, flushMarginMs: marginMs },
    )({}, lambdaContext(INVOCATION_MS));

    await vi.advanceTimersByTimeAsync(INVOCATION_MS - marginMs);

    expect(names(delivered)).toEqual(['orders-consumer']);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(`about to time out, ${TIMEOUT_FLUSH_LEAD_MS + marginMs} ms before its deadline`),
      ),
    ]);
    await vi.advanceTimersByTimeAsync(HANG_MS);
    await result;
    await provider.shutdown();
  });

  it('stays out of an invocation that ends in time', async () => {
    const { exporter, provider } = setUp();
    const result = tracedHandler(async () => Promise.resolve('in time'), {
      tracerProvider: provider,
    })({}, lambdaContext(INVOCATION_MS));
    await vi.advanceTimersByTimeAsync(INVOCATION_MS);
    await expect(result).resolves.toBe('in time');
    expect(exporter.getFinishedSpans()[0]!.status.code).toBe(SpanStatusCode.UNSET);
    expect(warnings).toEqual([]);
    await provider.shutdown();
  });
});

describe('tracebridgeMiddleware (middy)', () => {
  it('starts the invocation span with links to the records and flushes after success and error', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = batchingProvider(exporter);
    const middleware = tracebridgeMiddleware({ tracerProvider: provider });
    const message = numberedSpanContext(3);
    const event = {
      Records: [
        sqsRecord({ messageAttributes: { traceparent: sqsAttribute(traceparentOf(message)) } }),
      ],
    };
    const request = { event, context: lambdaContext() };
    await middleware.before(request);
    await middleware.after(request);
    const failed = { event: {}, context: lambdaContext(), error: new Error('handler failed') };
    await middleware.before(failed);
    await middleware.onError(failed);
    const spans: ReadableSpan[] = exporter.getFinishedSpans();
    expect(spans).toHaveLength(2);
    expect(spans[0]!.links.map((link) => link.context.spanId)).toEqual([message.spanId]);
    expect(spans[0]!.attributes['faas.trigger']).toBe('pubsub');
    expect(spans[1]!.status.code).toBe(SpanStatusCode.ERROR);
    await provider.shutdown();
  });
});

describe('tracedHandler with a thrown value String() cannot print', () => {
  it('re-throws it unchanged and marks the span failed', async () => {
    const thrown = Object.create(null) as unknown;
    const handler = tracedHandler(() => Promise.reject(thrown as Error), {
      tracerProvider: tracing.provider,
    });
    await expect(handler({}, lambdaContext())).rejects.toBe(thrown);
    expect(tracing.spans()[0]!.status.code).toBe(SpanStatusCode.ERROR);
  });
});
