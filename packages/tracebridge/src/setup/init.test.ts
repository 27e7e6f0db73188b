import {
  context,
  DiagConsoleLogger,
  type DiagLogger,
  DiagLogLevel,
  diag,
  propagation,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TracingConfigError } from './errors.js';
import { flushTracing, registeredProvider } from './flush.js';
import { initTracing } from './init.js';
import { recordLambdaContext } from './lambda-context.js';
import { resetTracing } from './test-support/reset.js';

// A generous bound for "resolved by its deadline": only a hang would miss it.
const GUARD_MS = 2_000;

function spyLogger(): { logger: DiagLogger; warnings: string[] } {
  const warnings: string[] = [];
  const ignore = (): void => {};
  return {
    warnings,
    logger: {
      error: ignore,
      warn: (message) => warnings.push(message),
      info: ignore,
      debug: ignore,
      verbose: ignore,
    },
  };
}

function endSpans(...names: string[]): void {
  for (const name of names) trace.getTracer('test').startSpan(name).end();
}

async function beforeGuard<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`still pending after ${GUARD_MS} ms`));
    }, GUARD_MS);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

afterEach(() => {
  resetTracing();
  vi.restoreAllMocks();
});

describe('initTracing', () => {
  it('registers a provider, a context manager and the propagators', async () => {
    const memory = new InMemorySpanExporter();
    const tracing = initTracing({ exporters: [memory], logLevel: 'none', env: {} });

    const tracer = trace.getTracer('test');
    const childParent = tracer.startActiveSpan('outer', async (outer) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const child = tracer.startSpan('child');
      child.end();
      outer.end();
      return (child as unknown as { parentSpanContext?: { spanId: string } }).parentSpanContext
        ?.spanId;
    });
    const outerId = await childParent;

    expect(tracing.external).toBe(false);
    expect(registeredProvider()).toBe(tracing.provider);
    expect(memory.getFinishedSpans()).toHaveLength(0);
    await expect(tracing.forceFlush(1_000)).resolves.toEqual({ ok: true, timedOut: false });
    const spans = memory.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['child', 'outer']);
    expect(spans[1]?.spanContext().spanId).toBe(outerId);
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
  });

  it('makes X-Ray compatible trace ids by default, random ones with xrayIds: false', async () => {
    const memory = new InMemorySpanExporter();
    initTracing({ exporters: [memory], logLevel: 'none', env: {}, xrayIds: false });
    endSpans('random');
    await flushTracing(1_000);
    resetTracing();
    initTracing({ exporters: [memory], logLevel: 'none', env: {} });
    endSpans('xray');
    await flushTracing(1_000);

    const now = Math.floor(Date.now() / 1000);
    const epochOf = (name: string): number => {
      const span = memory.getFinishedSpans().find((candidate) => candidate.name === name);
      return Number.parseInt(span?.spanContext().traceId.slice(0, 8) ?? '', 16);
    };
    expect(Math.abs(epochOf('xray') - now)).toBeLessThan(60);
    expect(Math.abs(epochOf('random') - now)).toBeGreaterThan(60);
  });

  it('returns the same handle when called again, warning once', () => {
    const first = initTracing({ exporters: [], logLevel: 'none', env: {} });
    const { logger, warnings } = spyLogger();
    diag.setLogger(logger, DiagLogLevel.WARN);

    const second = initTracing({ serviceName: 'other' });
    const third = initTracing();

    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/initTracing was called again/);
  });

  it("leaves an application's own provider registered and flushes it", async () => {
    const memory = new InMemorySpanExporter();
    const appProvider = new BasicTracerProvider();
    const forceFlush = vi.spyOn(appProvider, 'forceFlush');
    const shutdown = vi.spyOn(appProvider, 'shutdown');
    trace.setGlobalTracerProvider(appProvider);

    const tracing = initTracing({ exporters: [memory], env: {} });

    expect(tracing.external).toBe(true);
    expect(tracing.provider).toBe(appProvider);
    expect(registeredProvider()).toBe(appProvider);
    expect(propagation.fields()).toEqual([]);
    await expect(tracing.forceFlush(500)).resolves.toEqual({ ok: true, timedOut: false });
    await expect(flushTracing(500)).resolves.toEqual({ ok: true, timedOut: false });
    await tracing.shutdown(500);
    expect(forceFlush).toHaveBeenCalledTimes(3);
    expect(shutdown).not.toHaveBeenCalled();
  });

  it('fails fast on a bad setting, registering nothing', () => {
    expect(() => initTracing({ env: { OTEL_TRACES_EXPORTER: 'jaeger' } })).toThrow(
      TracingConfigError,
    );
    expect(registeredProvider()).toBeUndefined();
    expect(initTracing({ exporters: [], logLevel: 'none', env: {} }).external).toBe(false);
  });

  it('samples by OTEL_TRACES_SAMPLER', async () => {
    const memory = new InMemorySpanExporter();
    initTracing({
      exporters: [memory],
      logLevel: 'none',
      env: { OTEL_TRACES_SAMPLER: 'always_off' },
    });
    endSpans('dropped');

    await flushTracing(1_000);

    expect(memory.getFinishedSpans()).toEqual([]);
  });

  it('limits spans and batches by the SDK environment variables of its env', async () => {
    const memory = new InMemorySpanExporter();
    const exported: number[] = [];
    const counting: SpanExporter = {
      export: (spans, done) => {
        exported.push(spans.length);
        memory.export(spans, done);
      },
      shutdown: () => memory.shutdown(),
    };
    initTracing({
      exporters: [counting],
      logLevel: 'none',
      env: { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '2', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '3' },
    });
    trace
      .getTracer('test')
      .startSpan('limited', { attributes: { a: 1, b: 2, c: 3 } })
      .end();
    endSpans('two', 'three', 'four');

    await flushTracing(1_000);

    expect(exported).toEqual([3, 1]);
    expect(memory.getFinishedSpans()[0]).toMatchObject({
      attributes: { a: 1, b: 2 },
      droppedAttributesCount: 1,
    });
  });

  it('installs a console diagnostic logger at warn unless told otherwise', () => {
    const setLogger = vi.spyOn(diag, 'setLogger');
    initTracing({ exporters: [], env: {} });

    expect(setLogger).toHaveBeenCalledWith(expect.any(DiagConsoleLogger), {
      logLevel: DiagLogLevel.WARN,
      suppressOverrideMessage: true,
    });
    resetTracing();
    setLogger.mockClear();
    initTracing({ exporters: [], env: { OTEL_LOG_LEVEL: 'none' } });
    expect(setLogger).not.toHaveBeenCalled();
  });
});

describe('the handle', () => {
  it('resolves forceFlush by its deadline when an exporter hangs, and never rejects', async () => {
    const hanging: SpanExporter = {
      export: () => {},
      shutdown: () => Promise.resolve(),
      forceFlush: () => new Promise(() => {}),
    };
    const tracing = initTracing({
      exporters: [hanging],
      logLevel: 'none',
      env: {},
      batch: { exportTimeoutMillis: 300 },
    });
    endSpans('stuck');

    const result = await beforeGuard(tracing.forceFlush(100));

    expect(result).toMatchObject({ ok: false, timedOut: true });
    expect(result.error?.message).toMatch(/within 100 ms/);
  });

  it('reports a failed export', async () => {
    const failing: SpanExporter = {
      export: (_spans, callback) => {
        callback({ code: ExportResultCode.FAILED, error: new Error('collector said no') });
      },
      shutdown: () => Promise.resolve(),
    };
    const tracing = initTracing({ exporters: [failing], logLevel: 'none', env: {} });
    endSpans('refused');

    const result = await beforeGuard(tracing.forceFlush(1_000));

    expect(result).toMatchObject({ ok: false, timedOut: false });
    expect(result.error?.message).toMatch(/collector said no/);
    await expect(tracing.forceFlush(1_000)).resolves.toEqual({ ok: true, timedOut: false });
  });

  it('reports a failure to a flush that waited for it, even while a timed-out flush still waits', async () => {
    const held: ((result: { code: ExportResultCode; error?: Error }) => void)[] = [];
    const holding: SpanExporter = {
      export: (_spans, callback) => held.push(callback),
      shutdown: () => Promise.resolve(),
    };
    const tracing = initTracing({ exporters: [holding], logLevel: 'none', env: {} });
    endSpans('first invocation');
    const abandoned = await beforeGuard(tracing.forceFlush(20));
    expect(abandoned).toMatchObject({ ok: false, timedOut: true });

    endSpans('second invocation');
    const next = tracing.forceFlush(1_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(held).toHaveLength(2);
    for (const callback of held) {
      callback({ code: ExportResultCode.FAILED, error: new Error('collector gone') });
    }

    const result = await beforeGuard(next);
    expect(result).toMatchObject({ ok: false, timedOut: false });
    expect(result.error?.message).toMatch(/collector gone/);
  });

  it('shuts down after a last flush', async () => {
    const memory = new InMemorySpanExporter();
    const shutdown = vi.spyOn(memory, 'shutdown');
    const tracing = initTracing({ exporters: [memory], logLevel: 'none', env: {} });
    endSpans('last');

    await expect(tracing.shutdown(1_000)).resolves.toEqual({ ok: true, timedOut: false });

    expect(shutdown).toHaveBeenCalledOnce();
  });
});

describe('the Lambda resource', () => {
  const env = {
    AWS_LAMBDA_FUNCTION_NAME: 'orders',
    AWS_LAMBDA_FUNCTION_VERSION: '3',
    AWS_REGION: 'eu-west-1',
  };
  const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:orders';

  it('gains the function ARN and account from the first recorded context', async () => {
    const memory = new InMemorySpanExporter();
    const tracing = initTracing({ exporters: [memory], logLevel: 'none', env });
    endSpans('cold start');
    recordLambdaContext({ invokedFunctionArn: `${arn}:prod` });
    endSpans('invocation');

    await tracing.forceFlush(1_000);

    const spans = memory.getFinishedSpans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.resource.attributes).toMatchObject({
        'service.name': 'orders',
        'faas.name': 'orders',
        'cloud.resource_id': `${arn}:3`,
        'cloud.account.id': '123456789012',
      });
    }
  });

  it('is exported without them when no context was recorded before the flush', async () => {
    const memory = new InMemorySpanExporter();
    const tracing = initTracing({ exporters: [memory], logLevel: 'none', env });
    endSpans('no context');

    await expect(tracing.forceFlush(1_000)).resolves.toEqual({ ok: true, timedOut: false });

    const [span] = memory.getFinishedSpans();
    expect(span?.resource.attributes['faas.name']).toBe('orders');
    expect(span?.resource.attributes).not.toHaveProperty('cloud.resource_id');
  });
});

// Spans from a context manager the test did not set would show up as roots; check once that
// the registered manager really is the one in use.
it('uses the registered context manager for active spans', () => {
  initTracing({ exporters: [], logLevel: 'none', env: {} });
  const span = trace.getTracer('t').startSpan('s');

  const active = context.with(trace.setSpan(ROOT_CONTEXT, span), () => trace.getActiveSpan());

  expect(active).toBe(span);
  span.end();
});
