import { DiagLogLevel } from '@opentelemetry/api';
import { AlwaysOffSampler, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { TracingConfigError } from '../errors.js';
import type { TracingOptions } from '../options.js';
import type { Env } from './parse.js';
import { type ExporterPlan, type OtlpConfig, resolveConfig } from './resolve.js';

function otlpOf(env: Env, options: TracingOptions = {}): OtlpConfig {
  const plan = resolveConfig(options, env).exporters.find(
    (candidate): candidate is Extract<ExporterPlan, { kind: 'otlp' }> => candidate.kind === 'otlp',
  );
  if (!plan) throw new Error('no otlp exporter');
  return plan.config;
}

function errorOf(options: TracingOptions, env: Env): TracingConfigError {
  try {
    resolveConfig(options, env);
  } catch (error) {
    if (error instanceof TracingConfigError) return error;
    throw error;
  }
  throw new Error('expected a TracingConfigError');
}

describe('resolveConfig defaults', () => {
  it('exports OTLP protobuf to localhost:4318, parent-based always-on, W3C propagation', () => {
    const config = resolveConfig({}, {});

    expect(config.exporters).toHaveLength(1);
    expect(otlpOf({})).toEqual({
      url: new URL('http://localhost:4318/v1/traces'),
      protocol: 'http/protobuf',
      headers: {},
      compression: 'none',
      timeoutMs: 10_000,
    });
    expect(config.sampler.toString()).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(config.propagators.flatMap((propagator) => propagator.fields())).toEqual([
      'traceparent',
      'tracestate',
      'baggage',
    ]);
    expect(config.xrayIds).toBe(true);
    expect(config.logLevel).toBe(DiagLogLevel.WARN);
    expect(config.serviceName).toBeUndefined();
  });
});

describe('OTEL_TRACES_EXPORTER', () => {
  it('selects several exporters at once, each once', () => {
    const config = resolveConfig({}, { OTEL_TRACES_EXPORTER: 'otlp, console,xray,otlp' });

    expect(config.exporters.map((plan) => plan.kind)).toEqual(['otlp', 'console', 'xray']);
  });

  it('selects none', () => {
    expect(resolveConfig({}, { OTEL_TRACES_EXPORTER: 'none' }).exporters).toEqual([]);
  });

  it('fails on an unsupported exporter, and on "none" with others', () => {
    const unknown = errorOf({}, { OTEL_TRACES_EXPORTER: 'otlp,zipkin' });
    expect(unknown.setting).toBe('OTEL_TRACES_EXPORTER');
    expect(unknown.message).toMatch(/"zipkin".*"otlp", "console", "xray", "none"/);
    expect(errorOf({}, { OTEL_TRACES_EXPORTER: 'none,otlp' }).message).toMatch(/"none" alone/);
  });

  it('gives way to the exporters option, which also takes instances', () => {
    const memory = new InMemorySpanExporter();

    const config = resolveConfig(
      { exporters: ['console', memory] },
      { OTEL_TRACES_EXPORTER: 'bogus' },
    );

    expect(config.exporters).toEqual([{ kind: 'console' }, { kind: 'instance', exporter: memory }]);
    expect(errorOf({ exporters: ['jaeger' as 'otlp'] }, {}).setting).toBe('exporters');
  });

  it('leaves the settings of unused exporters unchecked', () => {
    const env = {
      OTEL_TRACES_EXPORTER: 'console',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      AWS_XRAY_DAEMON_ADDRESS: 'nowhere',
    };

    expect(resolveConfig({}, env).exporters).toEqual([{ kind: 'console' }]);
  });
});

describe('OTLP endpoint variables', () => {
  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT, keeping its path', () => {
    expect(otlpOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).url.href).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(otlpOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otel/' }).url.href).toBe(
      'https://gw.example/otel/v1/traces',
    );
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, and the url option over both', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom',
    };
    expect(otlpOf(env).url.href).toBe('http://traces:4318/custom');
    expect(otlpOf(env, { otlp: { url: 'http://option:1234/x' } }).url.href).toBe(
      'http://option:1234/x',
    );
  });

  it('fails on an endpoint that is not an http(s) URL, naming the variable', () => {
    expect(errorOf({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).setting).toBe(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    );
    expect(errorOf({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'udp://x:1' }).setting).toBe(
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    );
    expect(errorOf({ otlp: { url: 'nope' } }, {}).setting).toBe('otlp.url');
  });
});

describe('OTLP protocol, headers, compression and timeout variables', () => {
  it('reads the generic variables, with the traces-specific ones winning', () => {
    const config = otlpOf({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Basic%20abc,x-tenant=a',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=b',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2000',
    });

    expect(config).toMatchObject({
      protocol: 'http/json',
      headers: { authorization: 'Basic abc', 'x-tenant': 'b' },
      compression: 'gzip',
      timeoutMs: 2000,
    });
  });

  it('lets options win over the variables', () => {
    const config = otlpOf(
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2' },
      {
        otlp: {
          protocol: 'http/protobuf',
          headers: { b: '3' },
          compression: 'none',
          timeoutMs: 50,
        },
      },
    );

    expect(config).toMatchObject({
      protocol: 'http/protobuf',
      headers: { a: '1', b: '3' },
      compression: 'none',
      timeoutMs: 50,
    });
  });

  it('merges header names regardless of case, as HTTP compares them', () => {
    const config = otlpOf(
      {
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=generic,X-Tenant=a',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'authorization=traces',
      },
      { otlp: { headers: { 'x-TENANT': 'option' } } },
    );

    expect(config.headers).toEqual({ authorization: 'traces', 'x-tenant': 'option' });
  });

  it('refuses the headers the exporter sets itself, naming the setting to use instead', () => {
    const contentType = errorOf(
      {},
      { OTEL_EXPORTER_OTLP_HEADERS: 'Content-Type=application/json' },
    );
    expect(contentType.setting).toBe('OTEL_EXPORTER_OTLP_HEADERS');
    expect(contentType.message).toMatch(/"Content-Type".*OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(
      errorOf({}, { OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'content-encoding=gzip' }).message,
    ).toMatch(/OTEL_EXPORTER_OTLP_COMPRESSION/);
    for (const name of ['Content-Length', 'transfer-encoding']) {
      expect(errorOf({ otlp: { headers: { [name]: '12' } } }, {}).setting).toBe('otlp.headers');
    }
  });

  it('fails fast on gRPC, an unknown compression, malformed headers and a bad timeout', () => {
    const grpc = errorOf({}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' });
    expect(grpc.setting).toBe('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL');
    expect(grpc.message).toMatch(/"grpc".*"http\/protobuf", "http\/json"/);
    expect(errorOf({}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli' }).setting).toBe(
      'OTEL_EXPORTER_OTLP_COMPRESSION',
    );
    expect(errorOf({}, { OTEL_EXPORTER_OTLP_HEADERS: 'token' }).setting).toBe(
      'OTEL_EXPORTER_OTLP_HEADERS',
    );
    expect(errorOf({}, { OTEL_EXPORTER_OTLP_HEADERS: 'x-a=1%0D%0Ax-injected=1' }).setting).toBe(
      'OTEL_EXPORTER_OTLP_HEADERS',
    );
    expect(errorOf({ otlp: { headers: { 'bad name': 'x' } } }, {}).setting).toBe('otlp.headers');
    expect(errorOf({}, { OTEL_EXPORTER_OTLP_TIMEOUT: '10s' }).setting).toBe(
      'OTEL_EXPORTER_OTLP_TIMEOUT',
    );
    expect(errorOf({ otlp: { timeoutMs: -1 } }, {}).setting).toBe('otlp.timeoutMs');
  });
});

describe('AWS_XRAY_DAEMON_ADDRESS', () => {
  it('defaults to 127.0.0.1:2000 and reads the variable, the option winning', () => {
    const xray = (options: TracingOptions, env: Env): ExporterPlan | undefined =>
      resolveConfig({ exporters: ['xray'], ...options }, env).exporters[0];

    expect(xray({}, {})).toEqual({ kind: 'xray', host: '127.0.0.1', port: 2000 });
    expect(xray({}, { AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000' })).toEqual({
      kind: 'xray',
      host: '169.254.79.129',
      port: 2000,
    });
    expect(xray({ xrayDaemonAddress: 'localhost:3000' }, {})).toMatchObject({ port: 3000 });
    expect(errorOf({ exporters: ['xray'] }, { AWS_XRAY_DAEMON_ADDRESS: 'x' }).setting).toBe(
      'AWS_XRAY_DAEMON_ADDRESS',
    );
  });
});

describe('OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG', () => {
  it.each([
    ['always_on', '0.5', 'AlwaysOnSampler'],
    ['always_off', undefined, 'AlwaysOffSampler'],
    ['traceidratio', '0.25', 'TraceIdRatioBased{0.25}'],
    ['traceidratio', undefined, 'TraceIdRatioBased{1}'],
    ['parentbased_always_on', undefined, 'ParentBased{root=AlwaysOnSampler'],
    ['parentbased_always_off', undefined, 'ParentBased{root=AlwaysOffSampler'],
    ['PARENTBASED_TRACEIDRATIO', '0.1', 'ParentBased{root=TraceIdRatioBased{0.1}'],
  ])('%s with argument %s', (name, arg, expected) => {
    const config = resolveConfig({}, { OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: arg });

    expect(config.sampler.toString().startsWith(expected)).toBe(true);
  });

  it('fails on an unknown sampler and on a ratio outside [0, 1]', () => {
    const unknown = errorOf({}, { OTEL_TRACES_SAMPLER: 'xray' });
    expect(unknown.setting).toBe('OTEL_TRACES_SAMPLER');
    expect(unknown.message).toMatch(/parentbased_always_on/);
    const ratio = errorOf(
      {},
      { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '5' },
    );
    expect(ratio.setting).toBe('OTEL_TRACES_SAMPLER_ARG');
    expect(errorOf({ sampler: 'traceidratio', samplerArg: 2 }, {}).setting).toBe('samplerArg');
  });

  it('takes a sampler instance or name from the options', () => {
    const sampler = new AlwaysOffSampler();
    expect(resolveConfig({ sampler }, { OTEL_TRACES_SAMPLER: 'always_on' }).sampler).toBe(sampler);
    expect(resolveConfig({ sampler: 'traceidratio', samplerArg: 0.5 }, {}).sampler.toString()).toBe(
      'TraceIdRatioBased{0.5}',
    );
  });
});

describe('OTEL_PROPAGATORS', () => {
  it('builds the named propagators, or none', () => {
    const config = resolveConfig({}, { OTEL_PROPAGATORS: 'xray,tracecontext' });

    expect(config.propagators.flatMap((propagator) => propagator.fields())).toEqual([
      'X-Amzn-Trace-Id',
      'traceparent',
      'tracestate',
    ]);
    expect(resolveConfig({}, { OTEL_PROPAGATORS: 'none' }).propagators).toEqual([]);
  });

  it('fails on an unsupported propagator', () => {
    const error = errorOf({}, { OTEL_PROPAGATORS: 'tracecontext,b3' });

    expect(error.setting).toBe('OTEL_PROPAGATORS');
    expect(error.message).toMatch(/"b3".*"tracecontext", "baggage", "xray", "none"/);
  });
});

describe('OTEL_LOG_LEVEL', () => {
  it('maps level names, "none" leaving the diagnostic logger alone', () => {
    expect(resolveConfig({}, { OTEL_LOG_LEVEL: 'DEBUG' }).logLevel).toBe(DiagLogLevel.DEBUG);
    expect(resolveConfig({}, { OTEL_LOG_LEVEL: 'none' }).logLevel).toBeUndefined();
    expect(resolveConfig({ logLevel: 'error' }, { OTEL_LOG_LEVEL: 'all' }).logLevel).toBe(
      DiagLogLevel.ERROR,
    );
    expect(errorOf({}, { OTEL_LOG_LEVEL: 'loud' }).setting).toBe('OTEL_LOG_LEVEL');
  });
});

describe('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', () => {
  it('reads both, the options winning', () => {
    const env = {
      OTEL_SERVICE_NAME: 'from-env',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=a%2Cb',
    };

    expect(resolveConfig({}, env)).toMatchObject({
      serviceName: 'from-env',
      resourceAttributes: { 'deployment.environment.name': 'prod', team: 'a,b' },
    });
    expect(
      resolveConfig({ serviceName: 'opt', resourceAttributes: { team: 'c' } }, env),
    ).toMatchObject({ serviceName: 'opt', resourceAttributes: { team: 'c' } });
    expect(errorOf({}, { OTEL_RESOURCE_ATTRIBUTES: 'broken' }).setting).toBe(
      'OTEL_RESOURCE_ATTRIBUTES',
    );
  });
});

describe('OTEL_BSP_* and the span limit variables', () => {
  it("uses the SDK's defaults, reads the variables, lets options win and skips unusable values", () => {
    expect(resolveConfig({}, {})).toMatchObject({
      batch: {
        scheduledDelayMillis: 5_000,
        exportTimeoutMillis: 30_000,
        maxQueueSize: 2_048,
        maxExportBatchSize: 512,
      },
      spanLimits: { attributeCountLimit: 128, attributeValueLengthLimit: Infinity },
    });

    const env = {
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BSP_MAX_QUEUE_SIZE: 'lots',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64',
      OTEL_ATTRIBUTE_COUNT_LIMIT: '16',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '256',
      OTEL_SPAN_LINK_COUNT_LIMIT: '8',
    };
    expect(resolveConfig({ batch: { maxExportBatchSize: 32 } }, env)).toMatchObject({
      batch: { scheduledDelayMillis: 200, maxQueueSize: 2_048, maxExportBatchSize: 32 },
      spanLimits: {
        attributeCountLimit: 16,
        attributeValueLengthLimit: 256,
        linkCountLimit: 8,
        eventCountLimit: 128,
      },
    });
  });
});
