// End-to-end tests of the function runner: real builds, real processes, real signals.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createFunctionRunner,
  type FunctionInvocationResult,
  FunctionNotFoundError,
  type FunctionRunner,
  FunctionRunnerClosedError,
  LambdaOrigin,
  XRAY_ORIGIN_ATTRIBUTE,
} from '../src/functions/index.js';
import type { FunctionSpec } from '../src/model.js';
import { esmTestBuild } from './support/builds.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/functions/', import.meta.url));
const EXAMPLE_SRC = fileURLToPath(
  new URL('../../../examples/seed-architecture/src/', import.meta.url),
);
const REAPER = fileURLToPath(new URL('../src/functions/reaper.mjs', import.meta.url));

// Generous bounds for "it finished", never for how fast.
const DEADLINE_MS = 10_000;
const POLL_MS = 20;
// The frozen-spans fixture's BatchSpanProcessor exports every 200 ms; five periods without an
// export can only mean its timer is not running.
const FROZEN_WAIT_MS = 1_000;

/** The banner SAM users give an ESM build whose CommonJS code calls require(). */
const REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

const ESM_BUILD = esmTestBuild('handlers.ts');

function fixture(name: string, handler: string, overrides: Partial<FunctionSpec> = {}) {
  const entry = `${handler.slice(0, handler.indexOf('.'))}.ts`;
  return {
    logicalId: name,
    functionName: name,
    codeUri: FIXTURES,
    handler,
    runtime: 'nodejs20.x',
    timeoutSeconds: 5,
    memoryMb: 128,
    tracing: 'Active',
    environment: {},
    build: { ...ESM_BUILD, entryPoints: [entry] },
    ...overrides,
  } satisfies FunctionSpec;
}

async function eventually<T>(read: () => T | undefined): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await sleep(POLL_MS);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The state letter of /proc/<pid>/stat: T is stopped (Linux proc(5)).
function processState(pid: number): string | undefined {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

function expectOk(result: FunctionInvocationResult): unknown {
  if (result.status !== 'ok') throw new Error(`${result.errorType}: ${result.errorMessage}`);
  return result.payload;
}

function spansOf(exporter: InMemorySpanExporter, requestId: string): ReadableSpan[] {
  return exporter
    .getFinishedSpans()
    .filter((span) => span.attributes['faas.invocation_id'] === requestId);
}

const workDir = mkdtempSync(path.join(tmpdir(), 'tracebridge-functions-'));
const buildDir = path.join(workDir, 'build');
const spansFile = path.join(workDir, 'frozen-spans.txt');
const exporter = new InMemorySpanExporter();
const logLines: string[] = [];
const otlpBodies: unknown[] = [];
let receiver: Server;
let runner: FunctionRunner;

beforeAll(async () => {
  // Must never reach a function.
  process.env.TRACEBRIDGE_RUNNER_SECRET = 'leaked';
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      otlpBodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;

  runner = createFunctionRunner({
    buildDir,
    spanExporter: exporter,
    logSink: { write: (text) => logLines.push(text) },
    environment: {
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      FROM_TEMPLATE_AND_RUNTIME: 'runtime',
    },
    resolveTemplateValue: (value) =>
      typeof value === 'object' && 'ref' in value
        ? `http://127.0.0.1:9324/000000000000/${value.ref}`
        : JSON.stringify(value),
    functions: [
      fixture('Echo', 'handlers.echo'),
      fixture('Fail', 'handlers.fail'),
      fixture('Callback', 'handlers.callback'),
      fixture('CallbackWaits', 'handlers.callbackWaits'),
      fixture('Context', 'handlers.context', { timeoutSeconds: 7, memoryMb: 256 }),
      fixture('Environment', 'handlers.environment', {
        environment: {
          NODE_OPTIONS: '--enable-source-maps',
          QUEUE_URL: { ref: 'OrdersQueue' },
          RETRIES: 3,
          FROM_TEMPLATE_AND_RUNTIME: 'template',
          AWS_REGION: 'eu-west-1',
        },
      }),
      fixture('PassThrough', 'handlers.environment', { tracing: 'PassThrough' }),
      fixture('Pause', 'handlers.pause'),
      fixture('Slow', 'handlers.pause', { timeoutSeconds: 1 }),
      fixture('Crash', 'handlers.crash'),
      fixture('Logs', 'handlers.logs'),
      fixture('CommonJs', 'handlers.echo', {
        build: { ...ESM_BUILD, format: 'cjs', outExtension: '.js' },
      }),
      fixture('Plain', 'app.handler', { codeUri: path.join(FIXTURES, 'plain'), build: undefined }),
      fixture('CjsDependency', 'cjs-dependency.handler', {
        build: { ...ESM_BUILD, entryPoints: ['cjs-dependency.ts'], banner: { js: REQUIRE_BANNER } },
      }),
      fixture('CjsDependencyWithoutBanner', 'cjs-dependency.handler'),
      fixture('FrozenSpans', 'frozen-spans.handler', { environment: { SPANS_FILE: spansFile } }),
      {
        logicalId: 'SqsConsumerFunction',
        functionName: 'SqsConsumerFunction',
        codeUri: EXAMPLE_SRC,
        handler: 'sqs-consumer.handler',
        runtime: 'nodejs20.x',
        timeoutSeconds: 10,
        memoryMb: 256,
        tracing: 'Active',
        environment: { OTEL_SERVICE_NAME: 'sqs-consumer' },
        // Built as the example's template builds it: minified, for es2022.
        build: { ...esmTestBuild('sqs-consumer.ts'), minify: true, target: 'es2022' },
      },
    ],
  });
  await runner.build();
});

afterAll(async () => {
  delete process.env.TRACEBRIDGE_RUNNER_SECRET;
  await runner.close();
  await new Promise((resolve) => receiver.close(resolve));
  rmSync(workDir, { recursive: true, force: true });
});

describe('building', () => {
  it('bundles each function into its own folder, with source maps and its module type', () => {
    const echo = path.join(buildDir, 'Echo');
    expect(existsSync(path.join(echo, 'handlers.mjs'))).toBe(true);
    expect(existsSync(path.join(echo, 'handlers.mjs.map'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(echo, 'package.json'), 'utf8'))).toEqual({
      type: 'module',
    });
    const commonJs = path.join(buildDir, 'CommonJs');
    expect(existsSync(path.join(commonJs, 'handlers.js'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(commonJs, 'package.json'), 'utf8'))).toEqual({
      type: 'commonjs',
    });
  });
});

describe('invoking', () => {
  it('returns what the handler returns, cold first and warm after', async () => {
    const cold = await runner.invoke('Echo', { orderId: 'o-1' });
    expect(expectOk(cold)).toEqual({ received: { orderId: 'o-1' } });
    expect(cold.coldStart).toBe(true);
    const warm = await runner.invoke('Echo', { orderId: 'o-2' });
    expect(expectOk(warm)).toEqual({ received: { orderId: 'o-2' } });
    expect(warm.coldStart).toBe(false);
  });

  it('reports a handler error as Lambda does, with a source-mapped stack', async () => {
    const result = await runner.invoke('Fail', {});
    expect(result).toMatchObject({
      status: 'error',
      errorType: 'OrderRejectedError',
      errorMessage: 'order 42 was rejected',
    });
    expect(result.stackTrace[0]).toBe('OrderRejectedError: order 42 was rejected');
    expect(result.stackTrace.join('\n')).toMatch(/handlers\.ts:\d+:\d+/);
    const logged = await eventually(() => logLines.find((line) => line.includes('Invoke Error')));
    expect(logged).toMatch(/^\[Fail\] Invoke Error \{"errorType":"OrderRejectedError"/);
    // An error does not cost the environment.
    expect((await runner.invoke('Fail', {})).coldStart).toBe(false);
  });

  it('runs callback-style handlers', async () => {
    expect(expectOk(await runner.invoke('Callback', {}))).toEqual({ via: 'callback' });
  });

  it('answers a callback only once the event loop is empty', async () => {
    const file = path.join(workDir, 'callback-timer.txt');
    expect(expectOk(await runner.invoke('CallbackWaits', { file }))).toBe('answered');
    expect(readFileSync(file, 'utf8')).toBe('timer ran');
  });

  it('hands the handler a Lambda context whose remaining time counts down', async () => {
    const result = await runner.invoke('Context', {});
    const context = expectOk(result) as Record<string, unknown>;
    expect(context).toMatchObject({
      awsRequestId: result.requestId,
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Context',
      functionName: 'Context',
      functionVersion: '$LATEST',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/Context',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(result.requestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    const [first, second] = context.remaining as [number, number];
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(7_000);
    expect(second).toBeLessThan(first);
  });

  it("sets Lambda's environment, the template's and the runtime's, and nothing of the runner's", async () => {
    const result = await runner.invoke('Environment', {});
    const { env } = expectOk(result) as { env: Record<string, string> };
    expect(env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: 'Environment',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/Environment',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
      // Reserved: the template cannot move the function to another region.
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      LAMBDA_TASK_ROOT: path.join(buildDir, 'Environment'),
      _HANDLER: 'handlers.environment',
      _X_AMZN_TRACE_ID: result.traceHeader,
      NODE_OPTIONS: '--enable-source-maps',
      QUEUE_URL: 'http://127.0.0.1:9324/000000000000/OrdersQueue',
      RETRIES: '3',
      FROM_TEMPLATE_AND_RUNTIME: 'runtime',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324',
      PATH: process.env.PATH,
    });
    expect(env.AWS_ACCESS_KEY_ID).toBeTruthy();
    expect(env.AWS_SECRET_ACCESS_KEY).toBeTruthy();
    expect(env.AWS_SESSION_TOKEN).toBeTruthy();
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/\[\$LATEST\][0-9a-f]{32}$/);
    expect(env.TRACEBRIDGE_RUNNER_SECRET).toBeUndefined();
    const expected = [
      ...['PATH', 'HOME', 'LANG', 'TZ', 'AWS_XRAY_CONTEXT_MISSING'],
      ...['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_LAMBDA_INITIALIZATION_TYPE'],
      ...['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION'],
      ...['AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_LOG_GROUP_NAME'],
      ...['AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_EXECUTION_ENV'],
      ...['LAMBDA_TASK_ROOT', '_HANDLER', '_X_AMZN_TRACE_ID'],
      ...['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'],
      ...['NODE_OPTIONS', 'QUEUE_URL', 'RETRIES', 'FROM_TEMPLATE_AND_RUNTIME'],
      ...['AWS_ENDPOINT_URL_SQS', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    ].filter((name) => name !== 'HOME' || process.env.HOME !== undefined);
    expect(Object.keys(env).sort()).toEqual(expected.sort());
  });

  it('runs invocations of one function one at a time, in one process', async () => {
    const results = await Promise.all([1, 2, 3].map(() => runner.invoke('Pause', { ms: 100 })));
    const runs = results
      .map((result) => expectOk(result) as { startedAt: number; endedAt: number; pid: number })
      .sort((a, b) => a.startedAt - b.startedAt);
    expect(new Set(runs.map((run) => run.pid)).size).toBe(1);
    for (let i = 1; i < runs.length; i += 1) {
      expect(runs[i]!.startedAt).toBeGreaterThanOrEqual(runs[i - 1]!.endedAt);
    }
  });

  it('loads CommonJS builds, functions without a build, and ESM bundles of CommonJS code', async () => {
    expect(expectOk(await runner.invoke('CommonJs', { n: 1 }))).toEqual({ received: { n: 1 } });
    expect(expectOk(await runner.invoke('Plain', { n: 2 }))).toEqual({
      plain: true,
      event: { n: 2 },
    });
    expect(expectOk(await runner.invoke('CjsDependency', {}))).toEqual({ endOfLine: '"\\n"' });
  });

  it('fails an ESM bundle whose CommonJS code requires without a banner, as Lambda does, and says why', async () => {
    const result = await runner.invoke('CjsDependencyWithoutBanner', {});

    expect(result).toMatchObject({
      status: 'error',
      errorMessage: 'Dynamic require of "node:os" is not supported',
    });
    const warning = await eventually(() =>
      logLines.find((line) => line.startsWith('[CjsDependencyWithoutBanner] build:')),
    );
    expect(warning).toMatch(/MainFields: module,main/);
    expect(warning).toMatch(/BuildProperties\.Banner/);
  });

  it('prefixes every line a function writes with its name', async () => {
    await runner.invoke('Logs', {});
    // stdout and stderr are two pipes: their lines may arrive in either order.
    for (const line of ['[Logs] first line\n', '[Logs] to stderr\n']) {
      expect(await eventually(() => logLines.find((logged) => logged === line))).toBe(line);
    }
  });

  it('rejects a function the template does not have', async () => {
    await expect(runner.invoke('Nope', {})).rejects.toBeInstanceOf(FunctionNotFoundError);
  });
});

describe('Lambda semantics', () => {
  it('kills an invocation at its timeout and starts the next one in a fresh process', async () => {
    const { pid } = expectOk(await runner.invoke('Slow', { ms: 1 })) as { pid: number };
    const timedOut = await runner.invoke('Slow', { ms: 60_000 });
    expect(timedOut).toMatchObject({ status: 'timeout', errorType: 'Sandbox.Timedout' });
    expect(timedOut.status !== 'ok' && timedOut.errorMessage).toContain(
      'Task timed out after 1.00 seconds',
    );
    expect(timedOut.durationMs).toBeLessThan(DEADLINE_MS);
    expect(isRunning(pid)).toBe(false);
    const next = await runner.invoke('Slow', { ms: 1 });
    expect(next.coldStart).toBe(true);
    expect((expectOk(next) as { pid: number }).pid).not.toBe(pid);
  });

  it.each([
    ['exit', 'Runtime.ExitError', 'Runtime exited with error: exit status 3'],
    ['throw', 'Error', 'late failure'],
    ['reject', 'Runtime.UnhandledPromiseRejection', 'Error: nobody waits for this'],
  ] as const)(
    'reports a crash (%s) and recovers in a fresh process',
    async (how, type, message) => {
      const { pid } = expectOk(await runner.invoke('Crash', {})) as { pid: number };
      const crashed = await runner.invoke('Crash', { how });
      expect(crashed).toMatchObject({ status: 'crashed', errorType: type });
      expect(crashed.status !== 'ok' && crashed.errorMessage).toContain(message);
      const next = await runner.invoke('Crash', {});
      expect(next.coldStart).toBe(true);
      expect((expectOk(next) as { pid: number }).pid).not.toBe(pid);
      expect(isRunning(pid)).toBe(false);
    },
  );

  it('freezes the process between invocations: due timers only run once it is thawed', async () => {
    const first = expectOk(await runner.invoke('FrozenSpans', {})) as { pid: number };
    // SIGSTOP takes effect when the kernel next schedules the process: soon, not at once.
    if (process.platform === 'linux') {
      expect(await eventually(() => (processState(first.pid) === 'T' ? 'T' : undefined))).toBe('T');
    }
    await sleep(FROZEN_WAIT_MS);
    expect(existsSync(spansFile)).toBe(false);

    expectOk(await runner.invoke('FrozenSpans', {}));
    const exported = await eventually(() =>
      existsSync(spansFile) ? readFileSync(spansFile, 'utf8') : undefined,
    );
    expect(exported.split('\n')).toContain('work-1');
  });
});

describe('Lambda service spans', () => {
  it('start a new trace per invocation, and the function span is what the handler receives', async () => {
    const before = Math.floor(Date.now() / 1000);
    const results = [
      await runner.invoke('Environment', {}),
      await runner.invoke('Environment', {}),
    ];
    const after = Math.ceil(Date.now() / 1000);
    const traceIds = new Set<string>();
    for (const result of results) {
      const spans = spansOf(exporter, result.requestId);
      expect(spans).toHaveLength(2);
      const service = spans.find(
        (s) => s.attributes[XRAY_ORIGIN_ATTRIBUTE] === LambdaOrigin.Service,
      )!;
      const fn = spans.find((s) => s.attributes[XRAY_ORIGIN_ATTRIBUTE] === LambdaOrigin.Function)!;
      for (const span of [service, fn]) {
        expect(span.name).toBe('Environment');
        expect(span.kind).toBe(SpanKind.SERVER);
        expect(span.resource.attributes).toMatchObject({
          'service.name': 'Environment',
          'cloud.platform': 'aws_lambda',
        });
      }
      expect(service.parentSpanContext).toBeUndefined();
      expect(fn.parentSpanContext?.spanId).toBe(service.spanContext().spanId);
      const { traceId, spanId } = fn.spanContext();
      expect(service.spanContext().traceId).toBe(traceId);
      const header = `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${spanId};Sampled=1`;
      expect(result.traceHeader).toBe(header);
      expect((expectOk(result) as { env: Record<string, string> }).env._X_AMZN_TRACE_ID).toBe(
        header,
      );
      const epochSeconds = Number.parseInt(traceId.slice(0, 8), 16);
      expect(epochSeconds).toBeGreaterThanOrEqual(before);
      expect(epochSeconds).toBeLessThanOrEqual(after);
      traceIds.add(traceId);
    }
    expect(traceIds.size).toBe(2);
  });

  it('end with an error status when the invocation fails or times out', async () => {
    const failed = await runner.invoke('Fail', {});
    const timedOut = await runner.invoke('Slow', { ms: 60_000 });
    for (const result of [failed, timedOut]) {
      const spans = spansOf(exporter, result.requestId);
      expect(spans).toHaveLength(2);
      for (const span of spans) expect(span.status.code).toBe(SpanStatusCode.ERROR);
    }
  });

  it('are not emitted for PassThrough tracing, whose header has a Root only', async () => {
    const result = await runner.invoke('PassThrough', {});
    expect(spansOf(exporter, result.requestId)).toHaveLength(0);
    expect(result.traceHeader).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it("parent the example consumer's own spans, which it flushes before it is frozen", async () => {
    const order = { id: 'o-7', customer: 'c-1', items: [], totalCents: 1, placedAt: '' };
    const event = {
      Records: [
        {
          messageId: 'm-1',
          receiptHandle: 'r-1',
          body: JSON.stringify(order),
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(Date.now()),
            SenderId: 'local',
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:OrdersQueue',
          awsRegion: 'us-east-1',
        },
      ],
    };
    const result = await runner.invoke('SqsConsumerFunction', event);
    expect(expectOk(result)).toEqual({ batchItemFailures: [] });
    const fn = spansOf(exporter, result.requestId).find(
      (span) => span.attributes[XRAY_ORIGIN_ATTRIBUTE] === LambdaOrigin.Function,
    )!;
    const { traceId, spanId } = fn.spanContext();
    const invocationSpan = await eventually(() =>
      otlpSpans().find((span) => span.parentSpanId === spanId),
    );
    expect(invocationSpan.traceId).toBe(traceId);
  });
});

describe('closing', () => {
  it('ends every process, frozen or not, and refuses new invocations', async () => {
    const closing = createFunctionRunner({
      buildDir: path.join(workDir, 'closing'),
      functions: [
        { ...fixture('EchoFunction', 'handlers.environment'), functionName: 'orders-echo' },
      ],
      logSink: { write: () => undefined },
    });
    // By logical id, as event source mappings name their function, or by function name.
    const { pid } = expectOk(await closing.invoke('EchoFunction', {})) as { pid: number };
    expect((await closing.invoke('orders-echo', {})).coldStart).toBe(false);
    expect(isRunning(pid)).toBe(true);
    await closing.close();
    expect(isRunning(pid)).toBe(false);
    await expect(closing.invoke('orders-echo', {})).rejects.toBeInstanceOf(
      FunctionRunnerClosedError,
    );
  });

  it('kills a frozen process group when the runner dies without closing', async () => {
    const victim = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      detached: true,
      stdio: 'ignore',
    });
    const reaper = spawn(process.execPath, [REAPER], { stdio: ['pipe', 'ignore', 'ignore'] });
    const pid = victim.pid!;
    process.kill(-pid, 'SIGSTOP');
    reaper.stdin.write(`+${pid}\n`);
    // The runner's end of the pipe closing is all the reaper sees of the runner dying.
    reaper.stdin.end();
    await eventually(() =>
      victim.exitCode !== null || victim.signalCode !== null ? true : undefined,
    );
    expect(victim.signalCode).toBe('SIGKILL');
  });
});

interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
}

function otlpSpans(): OtlpSpan[] {
  const bodies = otlpBodies as {
    resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
  }[];
  return bodies.flatMap((body) =>
    (body.resourceSpans ?? []).flatMap((resource) =>
      (resource.scopeSpans ?? []).flatMap((scope) => scope.spans ?? []),
    ),
  );
}
