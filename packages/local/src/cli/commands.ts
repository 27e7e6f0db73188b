import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_OTLP_HTTP_PORT } from '../collector/server.js';
import type { TraceDetail, TraceSummary } from '../collector/trace-view.js';
import { DEFAULT_CONTROL_PORT, startControlServer } from '../runtime/control.js';
import { type LocalRuntime, startLocalRuntime } from '../runtime/local-runtime.js';
import { CliUsageError, integerOption, parseCommand } from './args.js';
import { renderDemo, runDemo } from './demo.js';
import { HELP } from './help.js';
import { paint, progressLine, type Terminal } from './output.js';
import { renderTrace } from './render-trace.js';

/** The template `demo` and `local` run when none is named. */
export const DEFAULT_TEMPLATE = 'examples/seed-architecture/template.yaml';
const PORT_RANGE = { min: 0, max: 65_535 };

function writeLines(terminal: Terminal, lines: readonly string[]): void {
  terminal.out.write(`${lines.join('\n')}\n`);
}

async function start(
  terminal: Terminal,
  templatePath: string,
  settings: { collectorPort: number; xrayPort?: number; forward?: string; save?: string },
): Promise<LocalRuntime> {
  const progress = progressLine(terminal);
  const runtime = await startLocalRuntime({
    templatePath: resolve(templatePath),
    collectorPort: settings.collectorPort,
    xrayPort: settings.xrayPort ?? null,
    forward: settings.forward,
    save: settings.save,
    functionLogs: terminal.err,
    logger: {
      info: (message) => {
        progress.update(message);
      },
      warn: (message) =>
        terminal.err.write(`${paint(terminal, 'yellow', `warning: ${message}`)}\n`),
    },
    onStage: (stage) => {
      progress.update(`${stage}…`);
    },
  });
  progress.done();
  for (const warning of runtime.architecture.warnings) {
    terminal.err.write(`${paint(terminal, 'yellow', `warning: ${warning}`)}\n`);
  }
  return runtime;
}

function untilInterrupted(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', () => {
      done();
    });
    process.once('SIGTERM', () => {
      done();
    });
  });
}

/** `tracebridge demo`: returns the process exit code. */
export async function demoCommand(args: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommand('demo', args, {
    messages: { type: 'string' },
    producer: { type: 'string' },
    timeout: { type: 'string' },
    port: { type: 'string' },
    serve: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help === true) {
    writeLines(terminal, [HELP.demo]);
    return 0;
  }
  const messages = integerOption(values, 'messages', 5, { min: 1, max: 10_000 });
  const timeoutSeconds = integerOption(values, 'timeout', 60, { min: 1, max: 3_600 });
  const collectorPort = integerOption(values, 'port', DEFAULT_OTLP_HTTP_PORT, PORT_RANGE);
  const runtime = await start(terminal, positionals[0] ?? DEFAULT_TEMPLATE, { collectorPort });
  try {
    const report = await runDemo(
      runtime,
      {
        messages,
        producer: typeof values.producer === 'string' ? values.producer : undefined,
        timeoutMs: timeoutSeconds * 1000,
      },
      terminal,
    );
    if (values.json === true) {
      const traces = [...new Set(report.messageTraces.map((message) => message.traceId))].map(
        (traceId) => runtime.collector.store.getTrace(traceId),
      );
      writeLines(terminal, [JSON.stringify({ ...report, traces }, null, 2)]);
    } else {
      writeLines(terminal, renderDemo(runtime, report, terminal));
    }
    if (values.serve === true) {
      terminal.err.write(
        `viewer at ${runtime.collector.endpoint}/ (collector and API on the same port); Ctrl-C to stop\n`,
      );
      await untilInterrupted();
    }
    return report.traces.broken === 0 && !report.timedOut && report.messages.sent > 0 ? 0 : 1;
  } finally {
    await runtime.close();
  }
}

/** `tracebridge local`: runs until interrupted. */
export async function localCommand(args: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommand('local', args, {
    port: { type: 'string' },
    'xray-port': { type: 'string' },
    'control-port': { type: 'string' },
    forward: { type: 'string' },
    save: { type: 'string' },
  });
  if (values.help === true) {
    writeLines(terminal, [HELP.local]);
    return 0;
  }
  const runtime = await start(terminal, positionals[0] ?? DEFAULT_TEMPLATE, {
    collectorPort: integerOption(values, 'port', DEFAULT_OTLP_HTTP_PORT, PORT_RANGE),
    xrayPort: integerOption(values, 'xray-port', 2000, PORT_RANGE),
    forward: typeof values.forward === 'string' ? values.forward : undefined,
    save: typeof values.save === 'string' ? values.save : undefined,
  });
  const control = await startControlServer(
    runtime.functions,
    integerOption(values, 'control-port', DEFAULT_CONTROL_PORT, PORT_RANGE),
  );
  try {
    const names = runtime.architecture.functions.map((fn) => fn.functionName).join(', ');
    writeLines(terminal, [
      `running ${names}`,
      `viewer at ${runtime.collector.endpoint}/ (OTLP/HTTP and the API on the same port)`,
      `invoke with: tracebridge invoke <function> --payload '{...}'   (control at ${control.endpoint})`,
      'Ctrl-C to stop',
    ]);
    await untilInterrupted();
    return 0;
  } finally {
    await control.close();
    await runtime.close();
  }
}

/** `tracebridge invoke <function>`: asks a running `tracebridge local` to invoke a function. */
export async function invokeCommand(args: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommand('invoke', args, {
    event: { type: 'string' },
    payload: { type: 'string' },
    'control-port': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help === true) {
    writeLines(terminal, [HELP.invoke]);
    return 0;
  }
  const functionName = positionals[0];
  if (!functionName)
    throw new CliUsageError('name the function to invoke: tracebridge invoke <function>');
  if (values.event !== undefined && values.payload !== undefined) {
    throw new CliUsageError(
      'give the event either with --event FILE or with --payload JSON, not both',
    );
  }
  const body =
    typeof values.event === 'string'
      ? await readFile(values.event, 'utf8')
      : typeof values.payload === 'string'
        ? values.payload
        : '{}';
  const port = integerOption(values, 'control-port', DEFAULT_CONTROL_PORT, PORT_RANGE);
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${port}/invoke/${encodeURIComponent(functionName)}`, {
      method: 'POST',
      body,
    });
  } catch (error) {
    throw new CliUsageError(
      `no tracebridge local answers on 127.0.0.1:${port}: start one with \`tracebridge local\``,
      {
        cause: error,
      },
    );
  }
  const result = (await response.json()) as {
    status?: string;
    payload?: unknown;
    errorMessage?: string;
    error?: string;
  };
  if (values.json === true) writeLines(terminal, [JSON.stringify(result, null, 2)]);
  else if (result.status === 'ok') writeLines(terminal, [JSON.stringify(result.payload, null, 2)]);
  else
    writeLines(terminal, [
      paint(
        terminal,
        'red',
        `${result.status ?? 'failed'}: ${result.errorMessage ?? result.error ?? ''}`,
      ),
    ]);
  return result.status === 'ok' ? 0 : 1;
}

/** `tracebridge traces`: prints what a running collector holds. */
export async function tracesCommand(args: readonly string[], terminal: Terminal): Promise<number> {
  const { values } = parseCommand('traces', args, {
    port: { type: 'string' },
    limit: { type: 'string' },
    service: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help === true) {
    writeLines(terminal, [HELP.traces]);
    return 0;
  }
  const port = integerOption(values, 'port', DEFAULT_OTLP_HTTP_PORT, PORT_RANGE);
  const limit = integerOption(values, 'limit', 20, { min: 1, max: 1000 });
  const query = new URLSearchParams({ limit: String(limit) });
  if (typeof values.service === 'string') query.set('service', values.service);
  const base = `http://127.0.0.1:${port}/api/traces`;
  let list: { traces: TraceSummary[] };
  try {
    list = (await (await fetch(`${base}?${query.toString()}`)).json()) as {
      traces: TraceSummary[];
    };
  } catch (error) {
    throw new CliUsageError(
      `no collector answers on 127.0.0.1:${port}: start \`tracebridge local\` first`,
      { cause: error },
    );
  }
  if (values.json === true) {
    writeLines(terminal, [JSON.stringify(list, null, 2)]);
    return 0;
  }
  for (const summary of list.traces) {
    const detail = (await (await fetch(`${base}/${summary.traceId}`)).json()) as TraceDetail;
    writeLines(terminal, [...renderTrace(detail, terminal), '']);
  }
  if (list.traces.length === 0) writeLines(terminal, ['no traces yet']);
  return 0;
}
