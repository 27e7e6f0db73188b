import { devNull } from 'node:os';

import { describe, expect, it } from 'vitest';

import type { FunctionSpec } from '../model.js';
import {
  type EnvironmentInput,
  functionArn,
  lambdaEnvironment,
  logGroupName,
  newLogStreamName,
} from './environment.js';
import { FunctionConfigurationError } from './errors.js';

const spec: FunctionSpec = {
  logicalId: 'ProducerFunction',
  functionName: 'orders-producer',
  codeUri: '/app/src',
  handler: 'producer.handler',
  runtime: 'nodejs20.x',
  timeoutSeconds: 10,
  memoryMb: 256,
  tracing: 'Active',
  environment: {},
  build: undefined,
};

function input(overrides: Partial<EnvironmentInput> = {}): EnvironmentInput {
  return {
    spec,
    taskRoot: '/app/.tracebridge/build/ProducerFunction',
    logStreamName: '2025/01/31/[$LATEST]0123456789abcdef0123456789abcdef',
    extra: {},
    resolve: undefined,
    parent: {
      PATH: '/usr/bin',
      HOME: '/home/dev',
      NODE_OPTIONS: '--import tsx',
      AWS_PROFILE: 'prod',
    },
    ...overrides,
  };
}

describe('lambdaEnvironment', () => {
  it("sets Lambda's variables and takes only PATH and HOME from the runner", () => {
    expect(lambdaEnvironment(input())).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/dev',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_CONFIG_FILE: devNull,
      AWS_SHARED_CREDENTIALS_FILE: devNull,
      AWS_LAMBDA_FUNCTION_NAME: 'orders-producer',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/orders-producer',
      AWS_LAMBDA_LOG_STREAM_NAME: '2025/01/31/[$LATEST]0123456789abcdef0123456789abcdef',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
      LAMBDA_TASK_ROOT: '/app/.tracebridge/build/ProducerFunction',
      _HANDLER: 'producer.handler',
      AWS_ACCESS_KEY_ID: expect.any(String) as string,
      AWS_SECRET_ACCESS_KEY: expect.any(String) as string,
      AWS_SESSION_TOKEN: expect.any(String) as string,
    });
  });

  it('layers the template over the defaults, reserved variables over the template, extras over all', () => {
    const env = lambdaEnvironment(
      input({
        spec: {
          ...spec,
          environment: { TZ: 'Europe/Paris', AWS_REGION: 'eu-west-1', LEVEL: 'debug', SHARED: 'a' },
        },
        extra: { SHARED: 'b', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566' },
      }),
    );
    expect(env).toMatchObject({
      TZ: 'Europe/Paris',
      AWS_REGION: 'us-east-1',
      LEVEL: 'debug',
      SHARED: 'b',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566',
    });
  });

  it('writes numbers and booleans as CloudFormation does, and resolves references', () => {
    const env = lambdaEnvironment(
      input({
        spec: { ...spec, environment: { RETRIES: 3, VERBOSE: false, QUEUE_URL: { ref: 'Queue' } } },
        resolve: (value) => `resolved ${JSON.stringify(value)}`,
      }),
    );
    expect(env).toMatchObject({
      RETRIES: '3',
      VERBOSE: 'false',
      QUEUE_URL: 'resolved {"ref":"Queue"}',
    });
  });

  it('names the function and the variable when a reference cannot be resolved', () => {
    const withRef = { ...spec, environment: { QUEUE_URL: { ref: 'Queue' } } };
    expect(() => lambdaEnvironment(input({ spec: withRef }))).toThrow(
      /QUEUE_URL of function orders-producer .*no resolveTemplateValue/,
    );
    const failing = input({
      spec: withRef,
      resolve: () => {
        throw new Error('Queue does not exist yet');
      },
    });
    expect(() => lambdaEnvironment(failing)).toThrow(FunctionConfigurationError);
    expect(() => lambdaEnvironment(failing)).toThrow(/Queue does not exist yet/);
  });
});

describe('names', () => {
  it('builds the ARN and log group Lambda gives a local function', () => {
    expect(functionArn('orders-producer')).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:orders-producer',
    );
    expect(logGroupName('orders-producer')).toBe('/aws/lambda/orders-producer');
  });

  it('gives each execution environment its own dated log stream', () => {
    const now = new Date('2025-01-31T23:59:59Z');
    const first = newLogStreamName(now);
    expect(first).toMatch(/^2025\/01\/31\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(newLogStreamName(now)).not.toBe(first);
  });
});
