import type { LocalRuntime } from '../runtime/local-runtime.js';
import { analyseMessages, type MessageTrace, messageSpans } from './demo-analysis.js';
import { formatDuration, paint, type ProgressLine, progressLine, type Terminal } from './output.js';
import { renderTrace, shortTraceId } from './render-trace.js';

/** How often the demo looks at the counts while it waits for the consumers. */
const PROGRESS_INTERVAL_MS = 100;

/** What the demo run found, as `--json` prints it. */
export interface DemoReport {
  readonly producer: string;
  readonly invocations: { readonly succeeded: number; readonly failed: number };
  readonly messages: {
    readonly sent: number;
    readonly consumed: number;
    readonly failed: number;
    readonly deadLettered: number;
    readonly discarded: number;
  };
  readonly traces: {
    readonly endToEnd: number;
    readonly complete: number;
    readonly broken: number;
  };
  readonly spansReceived: number;
  readonly timedOut: boolean;
  /** How long the demo waited for the consumers after the last invocation. */
  readonly waitedMs: number;
  readonly messageTraces: readonly MessageTrace[];
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  readonly messages: number;
  /** Function to invoke; the one function without event sources by default. */
  readonly producer: string | undefined;
  /** Longest wait for every message to be consumed. */
  readonly timeoutMs: number;
}

/** The function the demo invokes: the named one, or the only function nothing triggers. */
export function pickProducer(runtime: LocalRuntime, requested: string | undefined): string {
  const { functions, eventSources } = runtime.architecture;
  if (requested !== undefined) {
    const found = functions.find(
      (fn) => fn.logicalId === requested || fn.functionName === requested,
    );
    if (!found) {
      throw new Error(
        `no function ${requested} in the template; the functions are ${functions.map((fn) => fn.logicalId).join(', ')}`,
      );
    }
    return found.functionName;
  }
  const triggered = new Set(eventSources.map((source) => source.function));
  const untriggered = functions.filter((fn) => !triggered.has(fn.logicalId));
  if (untriggered.length !== 1) {
    throw new Error(
      `cannot tell which function produces the messages (${untriggered.length} functions have no event source): name it with --producer`,
    );
  }
  return untriggered[0]?.functionName ?? '';
}

function settled(runtime: LocalRuntime, sent: number): boolean {
  const total = runtime.mappings.stats().total;
  return sent > 0 && total.succeeded + total.deadLettered + total.discarded >= sent;
}

/** Invokes the producer `count` times, one after the other, counting how the calls ended. */
async function invokeProducer(
  runtime: LocalRuntime,
  producer: string,
  count: number,
  terminal: Terminal,
  progress: ProgressLine,
): Promise<{ succeeded: number; failed: number }> {
  const invocations = { succeeded: 0, failed: 0 };
  for (let index = 1; index <= count; index++) {
    progress.update(`invoking ${producer} ${index}/${count}`);
    const result = await runtime.functions.invoke(producer, {
      orderId: `order-${String(index).padStart(4, '0')}`,
    });
    if (result.status === 'ok') invocations.succeeded++;
    else {
      invocations.failed++;
      terminal.err.write(
        `\n${paint(terminal, 'red', `${producer} ${result.status}: ${result.errorMessage}`)}\n`,
      );
    }
  }
  return invocations;
}

/**
 * Invokes the producer `messages` times, waits until every message it sent has been
 * consumed (or dead-lettered, or the time is up), and reports what the traces show: for every
 * message, whether the consumer's span is in the producer's trace and linked to its invocation.
 */
export async function runDemo(
  runtime: LocalRuntime,
  options: DemoOptions,
  terminal: Terminal,
): Promise<DemoReport> {
  const producer = pickProducer(runtime, options.producer);
  const progress = progressLine(terminal);
  // Counted as spans arrive, so the wait below does not rescan the store on every tick.
  let sent = 0;
  const unsubscribe = runtime.collector.store.subscribe((added) => {
    sent += messageSpans(added.spans).length;
  });
  try {
    const invocations = await invokeProducer(
      runtime,
      producer,
      options.messages,
      terminal,
      progress,
    );
    const waitStart = Date.now();
    const deadline = waitStart + options.timeoutMs;
    while (Date.now() < deadline && !settled(runtime, sent)) {
      const total = runtime.mappings.stats().total;
      const spans = runtime.collector.store.stats().spansStored;
      progress.update(
        `sent ${sent}  consumed ${total.succeeded}  failed ${total.failed}  spans received ${spans}`,
      );
      await new Promise((resolve) => setTimeout(resolve, PROGRESS_INTERVAL_MS));
    }
    progress.done();
    const timedOut = !settled(runtime, sent);
    const messageTraces = analyseMessages(runtime.collector.store);
    const total = runtime.mappings.stats().total;
    const endToEnd = new Set(messageTraces.map((message) => message.traceId));
    const broken = new Set(
      messageTraces.filter((message) => !message.complete).map((message) => message.traceId),
    );
    return {
      producer,
      invocations,
      messages: {
        sent: messageTraces.length,
        consumed: total.succeeded,
        failed: total.failed,
        deadLettered: total.deadLettered,
        discarded: total.discarded,
      },
      traces: {
        endToEnd: endToEnd.size,
        complete: endToEnd.size - broken.size,
        broken: broken.size,
      },
      spansReceived: runtime.collector.store.stats().spansStored,
      timedOut,
      waitedMs: Date.now() - waitStart,
      messageTraces,
    };
  } finally {
    unsubscribe();
  }
}

/** The demo's terminal output: one tree per end-to-end trace, then the summary. */
export function renderDemo(
  runtime: LocalRuntime,
  report: DemoReport,
  terminal: Terminal,
): string[] {
  const lines: string[] = [];
  const traceIds = [...new Set(report.messageTraces.map((message) => message.traceId))];
  for (const traceId of traceIds) {
    const detail = runtime.collector.store.getTrace(traceId);
    if (detail) lines.push(...renderTrace(detail, terminal), '');
  }
  const ok = (good: boolean, text: string) => paint(terminal, good ? 'green' : 'red', text);
  const { messages, traces } = report;
  lines.push(
    paint(terminal, 'bold', 'Summary'),
    `  producer ${report.producer}: ${report.invocations.succeeded} invocations succeeded, ${report.invocations.failed} failed`,
    `  messages: ${messages.sent} sent, ${messages.consumed} consumed, ${messages.failed} failed deliveries, ${messages.deadLettered} dead-lettered`,
    `  traces: ${ok(traces.broken === 0, `${traces.complete} of ${traces.endToEnd} end-to-end traces complete`)}; every consumer span sits in its producer's trace and links to its invocation`,
    `  spans received by the collector: ${report.spansReceived}`,
  );
  for (const message of report.messageTraces.filter((candidate) => !candidate.complete)) {
    lines.push(
      ok(
        false,
        `  broken: message to ${message.destination} in trace ${shortTraceId(message.traceId)}: ${
          message.consumerSpanId === undefined
            ? 'no consumer span'
            : 'consumer span not linked to a complete invocation'
        }`,
      ),
    );
  }
  if (report.timedOut)
    lines.push(
      ok(false, `  gave up waiting after ${formatDuration(0)}: not every message was consumed`),
    );
  return lines;
}
