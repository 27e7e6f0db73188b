import { randomBytes } from 'node:crypto';
import { devNull } from 'node:os';

import { type FunctionSpec, LOCAL_REGION, localArn, type TemplateValue } from '../model.js';
import { FunctionConfigurationError } from './errors.js';

// Dummy credentials: the emulators accept any, and the developer's own must never reach a
// function (the SDK reads these variables before any file or profile).
const LOCAL_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIATRACEBRIDGELOCAL',
  AWS_SECRET_ACCESS_KEY: 'tracebridge-local-secret-access-key',
  AWS_SESSION_TOKEN: 'tracebridge-local-session-token',
} as const;

// Lambda's log stream names: `<yyyy>/<mm>/<dd>/[<version>]<32 hex digits>`, one per execution
// environment (CloudWatch Logs, "Lambda log streams").
const LOG_STREAM_ID_BYTES = 16;
/** The only version a local function has. */
export const FUNCTION_VERSION = '$LATEST';

/** Resolves a template value that refers to other resources (`!Ref`, `!GetAtt`, `!Sub`, …). */
export type TemplateValueResolver = (value: TemplateValue) => string;

/** What one execution environment's variables are made of. */
export interface EnvironmentInput {
  readonly spec: FunctionSpec;
  /** `LAMBDA_TASK_ROOT`. */
  readonly taskRoot: string;
  /** `AWS_LAMBDA_LOG_STREAM_NAME`: new for every execution environment. */
  readonly logStreamName: string;
  /** Variables the local runtime adds (emulator endpoints, collector); they win over all. */
  readonly extra: Readonly<Record<string, string>>;
  readonly resolve: TemplateValueResolver | undefined;
  /** The runner's own environment: only `PATH` and `HOME` are taken from it. */
  readonly parent: Readonly<Record<string, string | undefined>>;
}

/**
 * The ARN Lambda gives a local function: `arn:aws:lambda:<region>:<account>:function:<name>`.
 *
 * @example
 * ```ts
 * functionArn('ProducerFunction'); // 'arn:aws:lambda:us-east-1:000000000000:function:ProducerFunction'
 * ```
 */
export function functionArn(functionName: string): string {
  return localArn('lambda', `function:${functionName}`);
}

/**
 * The CloudWatch Logs group Lambda writes a function's logs to.
 *
 * @example
 * ```ts
 * logGroupName('ProducerFunction'); // '/aws/lambda/ProducerFunction'
 * ```
 */
export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/**
 * A fresh log stream name, as Lambda gives each new execution environment.
 *
 * @example
 * ```ts
 * newLogStreamName(new Date('2025-01-31T12:00:00Z')); // '2025/01/31/[$LATEST]9f86d081884c7d65…'
 * ```
 */
export function newLogStreamName(now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${FUNCTION_VERSION}]${randomBytes(LOG_STREAM_ID_BYTES).toString('hex')}`;
}

/**
 * The complete environment of one execution environment, built from nothing rather than from the
 * runner's: Lambda's defaults, then the template's variables, then the variables Lambda reserves
 * (a template cannot set those), then the runtime's extras. Only `PATH` and `HOME` come from the
 * runner, so its `NODE_OPTIONS` (a loader, a debugger), its AWS profile and credentials never leak
 * in; the AWS SDK's config and credentials files point at nothing, as on Lambda.
 * `_X_AMZN_TRACE_ID` is not here: it changes with every invocation.
 *
 * @throws {@link FunctionConfigurationError} when a variable refers to another resource and no
 *   resolver was given.
 *
 * @example
 * ```ts
 * const env = lambdaEnvironment({
 *   spec,
 *   taskRoot: '/work/app/.tracebridge/build/ProducerFunction',
 *   logStreamName: newLogStreamName(new Date()),
 *   extra: { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566' },
 *   resolve: undefined,
 *   parent: process.env,
 * });
 * env.AWS_LAMBDA_FUNCTION_NAME; // 'ProducerFunction'
 * ```
 */
export function lambdaEnvironment(input: EnvironmentInput): Record<string, string> {
  const { spec } = input;
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME'] as const) {
    const value = input.parent[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, {
    // Lambda's own defaults for variables a function may override.
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_CONFIG_FILE: devNull,
    AWS_SHARED_CREDENTIALS_FILE: devNull,
  });
  for (const [name, value] of Object.entries(spec.environment)) {
    env[name] = resolveVariable(spec.functionName, name, value, input.resolve);
  }
  Object.assign(env, {
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: FUNCTION_VERSION,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(spec.functionName),
    AWS_LAMBDA_LOG_STREAM_NAME: input.logStreamName,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    LAMBDA_TASK_ROOT: input.taskRoot,
    _HANDLER: spec.handler,
    ...LOCAL_CREDENTIALS,
  });
  return Object.assign(env, input.extra);
}

function resolveVariable(
  functionName: string,
  name: string,
  value: TemplateValue,
  resolve: TemplateValueResolver | undefined,
): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (resolve === undefined) {
    throw new FunctionConfigurationError(
      `Environment variable ${name} of function ${functionName} refers to another resource (${JSON.stringify(value)}), but the function runner was given no resolveTemplateValue`,
    );
  }
  try {
    return resolve(value);
  } catch (error) {
    throw new FunctionConfigurationError(
      `Environment variable ${name} of function ${functionName} cannot be resolved: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
