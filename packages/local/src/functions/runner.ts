import { randomUUID } from 'node:crypto';
import path from 'node:path';

import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

import type { FunctionInvoker, FunctionSpec, InvocationResult } from '../model.js';
import { type BuiltFunction, buildFunction } from './build.js';
import { lambdaEnvironment, type TemplateValueResolver } from './environment.js';
import {
  FunctionConfigurationError,
  FunctionNotFoundError,
  FunctionRunnerClosedError,
  InvalidPayloadError,
} from './errors.js';
import { type LineWriter, type LogSink, prefixedLineWriter } from './logs.js';
import { createProcessGuard } from './process-guard.js';
import { createSandbox, type Sandbox } from './sandbox.js';
import { createServiceSpans } from './service-spans.js';

/** Where builds go when no `buildDir` is given, relative to the working directory. */
const DEFAULT_BUILD_DIR = '.tracebridge/build';

/** Options of {@link createFunctionRunner}. */
export interface FunctionRunnerOptions {
  /** The functions to run, as the template reader describes them. */
  readonly functions: readonly FunctionSpec[];
  /** Build output, one folder per function (`<buildDir>/<LogicalId>`); `.tracebridge/build` by default. */
  readonly buildDir?: string;
  /**
   * Variables for every function on top of Lambda's and the template's (emulator endpoints,
   * `OTEL_EXPORTER_OTLP_ENDPOINT`, `AWS_XRAY_DAEMON_ADDRESS`); they win over both.
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** Resolves template variables that refer to other resources; required if any does. */
  readonly resolveTemplateValue?: TemplateValueResolver;
  /** Receives the Lambda service's spans of every invocation; without it they are not exported. */
  readonly spanExporter?: SpanExporter;
  /** Where the functions' output goes, a line at a time; `process.stderr` by default. */
  readonly logSink?: LogSink;
  /** Colour the `[FunctionName]` prefixes; by default only when `logSink` is a TTY. */
  readonly color?: boolean;
}

/** An invocation's result, with what Lambda reports besides it. */
export type FunctionInvocationResult = InvocationResult & {
  /** The invocation's `awsRequestId`. */
  readonly requestId: string;
  /** Whether it started a new execution environment (Init ran). */
  readonly coldStart: boolean;
  /** The `_X_AMZN_TRACE_ID` the function received. */
  readonly traceHeader: string;
  /** The stack of a handler error, one line per entry (Lambda's `trace`); empty otherwise. */
  readonly stackTrace: readonly string[];
};

/** Builds and runs a template's functions, each in its own warm, frozen-between-calls process. */
export interface FunctionRunner extends FunctionInvoker {
  /**
   * Invokes a function (by function name or logical id) with an event, one invocation at a time
   * per function, as one Lambda execution environment does. Builds the function first if
   * {@link FunctionRunner.build} has not.
   */
  invoke(functionName: string, event: unknown): Promise<FunctionInvocationResult>;
  /** Builds every function now, so that build errors show before anything runs. */
  build(): Promise<void>;
  /** Ends every execution environment and exports the remaining spans. */
  close(): Promise<void>;
}

interface FunctionState {
  readonly spec: FunctionSpec;
  readonly writeLine: LineWriter;
  built: Promise<BuiltFunction> | undefined;
  sandbox: Sandbox | undefined;
  /** The last invocation queued: the next one starts when it has settled. */
  queue: Promise<unknown>;
}

/**
 * Creates the runner of a template's functions. Each function is built like SAM's esbuild
 * builder does and runs in its own Node.js process with Lambda's environment and `context`,
 * started on the first invocation, reused while warm, frozen (SIGSTOP) between invocations, and
 * replaced after a timeout or a crash. Every invocation gets the Lambda service's spans, in a new
 * trace, whose function span the handler finds in `_X_AMZN_TRACE_ID`. Output lines are prefixed
 * with the function's name.
 *
 * @throws {@link FunctionConfigurationError} when two functions share a name.
 *
 * @example
 * ```ts
 * const runner = createFunctionRunner({
 *   functions: architecture.functions,
 *   buildDir: '.tracebridge/build',
 *   environment: { AWS_ENDPOINT_URL_SQS: sqs.endpoint, OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl },
 *   resolveTemplateValue: (value) => resolveValue(value, resources),
 *   spanExporter: collectorExporter,
 * });
 * await runner.build();
 * const result = await runner.invoke('ProducerFunction', { customer: 'c-1' });
 * if (result.status !== 'ok') console.error(result.errorType, result.errorMessage);
 * await runner.close();
 * ```
 */
export function createFunctionRunner(options: FunctionRunnerOptions): FunctionRunner {
  const buildDir = path.resolve(options.buildDir ?? DEFAULT_BUILD_DIR);
  const environment = options.environment ?? {};
  const sink = options.logSink ?? process.stderr;
  const color = options.color ?? sink.isTTY === true;
  const spans = createServiceSpans(options.spanExporter);
  const guard = createProcessGuard();

  const states = new Map<string, FunctionState>();
  // Event sources name functions by logical id: looked up in a map, not searched per invocation.
  const byLogicalId = new Map<string, FunctionState>();
  for (const spec of options.functions) {
    if (states.has(spec.functionName)) {
      throw new FunctionConfigurationError(
        `Two functions are named ${spec.functionName}; function names must be unique`,
      );
    }
    const state: FunctionState = {
      spec,
      writeLine: prefixedLineWriter(sink, spec.functionName, color),
      built: undefined,
      sandbox: undefined,
      queue: Promise.resolve(),
    };
    states.set(spec.functionName, state);
    if (!byLogicalId.has(spec.logicalId)) byLogicalId.set(spec.logicalId, state);
  }
  const find = (name: string): FunctionState | undefined =>
    states.get(name) ?? byLogicalId.get(name);

  let closing: Promise<void> | undefined;
  const assertOpen = (): void => {
    if (closing) throw new FunctionRunnerClosedError('The function runner has been closed');
  };

  const build = (state: FunctionState): Promise<BuiltFunction> => {
    // A failed build is tried again next time: the developer may have fixed the code.
    state.built ??= buildFunction(state.spec, buildDir).then(
      (built) => {
        for (const warning of built.warnings) state.writeLine(warning);
        return built;
      },
      (error: unknown) => {
        state.built = undefined;
        throw error;
      },
    );
    return state.built;
  };

  const sandboxOf = async (state: FunctionState): Promise<Sandbox> => {
    const built = await build(state);
    state.sandbox ??= createSandbox({
      spec: state.spec,
      built,
      environment: (logStreamName) =>
        lambdaEnvironment({
          spec: state.spec,
          taskRoot: built.taskRoot,
          logStreamName,
          extra: environment,
          resolve: options.resolveTemplateValue,
          parent: process.env,
        }),
      writeLine: state.writeLine,
      guard,
    });
    return state.sandbox;
  };

  const run = async (state: FunctionState, payload: string): Promise<FunctionInvocationResult> => {
    const sandbox = await sandboxOf(state);
    // Checked after the last wait: from here the environment starts synchronously, or not at all.
    assertOpen();
    const requestId = randomUUID();
    const invocation = spans.start(state.spec, requestId);
    try {
      const outcome = await sandbox.invoke({
        requestId,
        payload,
        traceHeader: invocation.traceHeader,
      });
      invocation.end(outcome.result, outcome.coldStart);
      return {
        ...outcome.result,
        requestId,
        coldStart: outcome.coldStart,
        traceHeader: invocation.traceHeader,
        stackTrace: outcome.trace,
      };
    } catch (error) {
      const errorType = error instanceof Error ? error.name : 'Error';
      const errorMessage = error instanceof Error ? error.message : String(error);
      invocation.end({ status: 'error', errorType, errorMessage, durationMs: 0 }, false);
      throw error;
    }
  };

  return {
    async invoke(functionName, event) {
      assertOpen();
      const state = find(functionName);
      if (state === undefined) {
        const known = [...states.keys()].join(', ') || 'none';
        throw new FunctionNotFoundError(
          `No function ${functionName} in the template (functions: ${known})`,
        );
      }
      const payload = serialise(functionName, event);
      const result = state.queue.then(() => {
        assertOpen();
        return run(state, payload);
      });
      state.queue = result.catch(() => undefined);
      return result;
    },

    async build() {
      assertOpen();
      await Promise.all([...states.values()].map(build));
    },

    close() {
      closing ??= (async () => {
        const all = [...states.values()];
        await Promise.all(all.map((state) => state.sandbox?.stop() ?? Promise.resolve()));
        // Invocations in flight end as their environments do; their spans end with them.
        await Promise.all(all.map((state) => state.queue));
        guard.close();
        await spans.flush();
      })();
      return closing;
    },
  };
}

// Lambda takes JSON only, and an empty payload reaches the handler as `{}`.
function serialise(functionName: string, event: unknown): string {
  let text: string | undefined;
  try {
    text = toJson(event);
  } catch (error) {
    throw new InvalidPayloadError(
      `The event for ${functionName} cannot be serialised as JSON: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return text ?? '{}';
}

// JSON.stringify answers undefined for undefined, a function or a symbol, whatever its typing says.
function toJson(value: unknown): string | undefined {
  return JSON.stringify(value);
}
