import { context, createContextKey } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SamplingDecision,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AsyncLocalStorageContextManager } from './context-manager.js';
import { EXPORTED, type ExportResult, exportFailed } from './exporters/tracker.js';
import type { BatchOptions } from './options.js';
import { BufferedSpanProcessor } from './span-processor.js';
import { resetTracing } from './test-support/reset.js';
import { spyOnDiag } from '../test-support/guards.js';

const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

const BATCH: Required<BatchOptions> = {
  scheduledDelayMillis: 5_000,
  exportTimeoutMillis: 30_000,
  maxQueueSize: 2_048,
  maxExportBatchSize: 512,
};

function setUp(
  exporter: SpanExporter,
  batch: Partial<BatchOptions> = {},
  resource = resourceFromAttributes({ 'service.name': 'orders' }),
): { processor: BufferedSpanProcessor; end: (...names: string[]) => void } {
  const processor = new BufferedSpanProcessor(exporter, { ...BATCH, ...batch });
  const provider = new TracerProvider({ resource, spanProcessors: [processor] });
  const tracer = provider.getTracer('test');
  return {
    processor,
    end: (...names) => {
      for (const name of names) tracer.startSpan(name).end();
    },
  };
}

function names(spans: readonly ReadableSpan[]): string[] {
  return spans.map((span) => span.name);
}

/** An exporter that answers only when told to, remembering each batch. */
function deferredExporter(): {
  exporter: SpanExporter;
  batches: string[][];
  answer: (result?: ExportResult) => void;
} {
  const batches: string[][] = [];
  const callbacks: ((result: ExportResult) => void)[] = [];
  return {
    batches,
    exporter: {
      export: (spans, callback) => {
        batches.push(names(spans));
        callbacks.push(callback);
      },
      shutdown: () => Promise.resolve(),
    },
    answer: (result = EXPORTED) => {
      callbacks.shift()?.(result);
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
  resetTracing();
});

describe('BufferedSpanProcessor', () => {
  it('holds ended spans until the flush, then exports them in one batch', async () => {
    const memory = new InMemorySpanExporter();
    const { end, processor } = setUp(memory);
    end('one', 'two');

    expect(memory.getFinishedSpans()).toHaveLength(0);
    await processor.forceFlush();

    expect(names(memory.getFinishedSpans())).toEqual(['one', 'two']);
  });

  it('exports a full batch at once and the rest at the flush, in batches of at most that size', async () => {
    const { exporter, batches, answer } = deferredExporter();
    const { end, processor } = setUp(exporter, { maxExportBatchSize: 2 });
    end('a', 'b', 'c');

    expect(batches).toEqual([['a', 'b']]);
    const flushed = processor.forceFlush();
    expect(batches).toEqual([['a', 'b'], ['c']]);
    answer();
    answer();

    await expect(flushed).resolves.toBeUndefined();
  });

  it('exports on its own once the scheduled delay has passed', async () => {
    vi.useFakeTimers();
    const memory = new InMemorySpanExporter();
    const { end } = setUp(memory, { scheduledDelayMillis: 1_000 });
    end('late');

    await vi.advanceTimersByTimeAsync(999);
    expect(memory.getFinishedSpans()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);

    expect(names(memory.getFinishedSpans())).toEqual(['late']);
  });

  it('exports one batch at a time between flushes, and drops, counts and reports spans beyond maxQueueSize', async () => {
    const { warnings } = spyOnDiag();
    const { exporter, batches, answer } = deferredExporter();
    const { end, processor } = setUp(exporter, { maxQueueSize: 3, maxExportBatchSize: 2 });
    end('a', 'b', 'c', 'd', 'e', 'f', 'g');

    expect(batches).toEqual([['a', 'b']]);
    expect(processor.droppedSpans).toBe(2);
    const flushed = processor.forceFlush();
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    answer();
    answer();
    answer();
    await flushed;
    await processor.forceFlush();

    expect(warnings).toEqual([expect.stringMatching(/dropped 2 spans.*maxQueueSize \(3\)/)]);
  });

  it('starts the next batch when the export before it answers', async () => {
    const { exporter, batches, answer } = deferredExporter();
    const { end } = setUp(exporter, { maxExportBatchSize: 2 });
    end('a', 'b', 'c', 'd');

    expect(batches).toEqual([['a', 'b']]);
    answer();
    await vi.waitFor(() => {
      expect(batches).toEqual([
        ['a', 'b'],
        ['c', 'd'],
      ]);
    });
  });

  it('skips spans that are recorded but not sampled', async () => {
    const memory = new InMemorySpanExporter();
    const processor = new BufferedSpanProcessor(memory, BATCH);
    const provider = new TracerProvider({
      sampler: { shouldSample: () => ({ decision: SamplingDecision.RECORD }) },
      spanProcessors: [processor],
    });
    provider.getTracer('test').startSpan('recorded only').end();

    await processor.forceFlush();

    expect(memory.getFinishedSpans()).toHaveLength(0);
  });

  it('waits for an export in flight and rejects with its failure once', async () => {
    const { exporter, answer } = deferredExporter();
    const { end, processor } = setUp(exporter);
    end('refused');

    const flushed = processor.forceFlush();
    answer(exportFailed(new Error('collector said no')));

    await expect(flushed).rejects.toThrow('collector said no');
    await expect(processor.forceFlush()).resolves.toBeUndefined();
  });

  it('gives up on an export that does not answer within the export timeout', async () => {
    vi.useFakeTimers();
    const { exporter } = deferredExporter();
    const { end, processor } = setUp(exporter, { exportTimeoutMillis: 300 });
    end('stuck');

    const flushed = processor.forceFlush();
    const outcome = expect(flushed).rejects.toThrow(/within 300 ms/);
    await vi.advanceTimersByTimeAsync(300);

    await outcome;
  });

  it('reports an exporter that throws as a failed export', async () => {
    const throwing: SpanExporter = {
      export: () => {
        throw new Error('encoder bug');
      },
      shutdown: () => Promise.resolve(),
    };
    const { end, processor } = setUp(throwing);
    end('broken');

    await expect(processor.forceFlush()).rejects.toThrow('encoder bug');
  });

  it('waits for resource attributes still pending before exporting', async () => {
    let settle: (attributes: Record<string, string>) => void = () => {};
    const resource = resourceFromAttributes({
      'service.name': 'orders',
      'cloud.account.id': new Promise<string>((resolve) => {
        settle = (attributes) => {
          resolve(attributes['cloud.account.id'] ?? '');
        };
      }),
    });
    const memory = new InMemorySpanExporter();
    const { end, processor } = setUp(memory, {}, resource);
    end('cold start');

    const flushed = processor.forceFlush();
    await Promise.resolve();
    expect(memory.getFinishedSpans()).toHaveLength(0);
    settle({ 'cloud.account.id': '123456789012' });
    await flushed;

    const [span] = memory.getFinishedSpans();
    expect(span?.resource.attributes['cloud.account.id']).toBe('123456789012');
  });

  it('reports an export that failed as it started, after a resource wait, to every flush that waited', async () => {
    let settle: () => void = () => {};
    const resource = resourceFromAttributes({
      'service.name': 'orders',
      'cloud.account.id': new Promise<string>((resolve) => {
        settle = () => {
          resolve('123456789012');
        };
      }),
    });
    const refusing: SpanExporter = {
      export: (_spans, callback) => {
        callback(exportFailed(new Error('refused at once')));
      },
      shutdown: () => Promise.resolve(),
    };
    const { end, processor } = setUp(refusing, {}, resource);
    end('cold start');

    const outcome = (flush: Promise<void>) =>
      flush.then(
        () => 'ok',
        (error: unknown) => (error as Error).message,
      );
    const first = outcome(processor.forceFlush());
    const second = outcome(processor.forceFlush());
    settle();

    expect([await first, await second]).toEqual(['refused at once', 'refused at once']);
  });

  it('exports with tracing suppressed, so an instrumented transport records nothing', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager());
    const seen: unknown[] = [];
    const exporter: SpanExporter = {
      export: (_spans, callback) => {
        seen.push(context.active().getValue(SUPPRESS_TRACING_KEY));
        callback(EXPORTED);
      },
      shutdown: () => Promise.resolve(),
    };
    const { end, processor } = setUp(exporter);
    end('traced');

    await processor.forceFlush();

    expect(seen).toEqual([true]);
  });

  it('shuts down after a last flush and ignores spans ended after it', async () => {
    const exported: string[] = [];
    const shutdown = vi.fn(() => Promise.resolve());
    const { end, processor } = setUp({
      export: (spans, callback) => {
        exported.push(...names(spans));
        callback(EXPORTED);
      },
      shutdown,
    });
    end('last');

    await processor.shutdown();
    end('too late');
    await processor.forceFlush();

    expect(exported).toEqual(['last']);
    expect(shutdown).toHaveBeenCalledOnce();
  });
});
