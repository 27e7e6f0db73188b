// The resource: service.name and the Lambda attributes of the OpenTelemetry semantic
// conventions (cloud provider, FaaS resource, AWS Lambda and AWS log resource attributes).
//
// The function ARN (and from it the account id) is in no environment variable: it first
// appears on the context of the first invocation. A resource cannot change once the provider
// has it, so the ARN-derived attributes are asynchronous resource attributes, the pending
// state the SDK's Resource interface has for detectors that answer late: span processors wait
// for them to settle before an export. They settle when the consumer wrappers report the first context
// (recordLambdaContext), or empty at the first flush if nothing reported one. Every span,
// including those of the cold start, carries them on its resource, where backends look.

import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { TRACEBRIDGE_VERSION } from '../version.js';
import { type Env, readEnv } from './config/parse.js';

// AWS_LAMBDA_FUNCTION_MEMORY_SIZE is in MiB; faas.max_memory is in bytes (FaaS semconv).
const BYTES_PER_MIB = 1024 * 1024;
// arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] (Lambda ARN format).
const ARN_ACCOUNT_PART = 4;
const UNQUALIFIED_ARN_PARTS = 7;

const SETTLED: Promise<void> = Promise.resolve();

/**
 * The telemetry SDK attributes. The resource conventions ask an SDK other than OpenTelemetry's
 * own to name itself in `telemetry.sdk.name`; spans here are tracebridge's, not the SDK's.
 */
const SDK_ATTRIBUTES: Attributes = {
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.name': 'tracebridge',
  'telemetry.sdk.version': TRACEBRIDGE_VERSION,
};

/** The service name the SDK reports when none is configured (resource semantic conventions). */
function defaultServiceName(): string {
  return process.argv0 ? `unknown_service:${process.argv0}` : 'unknown_service';
}

/**
 * A resource whose attributes may still wait for the function ARN. It answers the SDK's
 * `Resource` interface (a pending flag, a promise to wait on), so the SDK's processors and
 * exporters, and tracebridge's, wait for it before an export.
 */
class SettlingResource implements Resource {
  #attributes: Attributes;
  #pending: Promise<void> | undefined;

  constructor(attributes: Attributes, late?: Promise<Attributes>) {
    this.#attributes = attributes;
    this.#pending = late?.then((settled) => {
      // The configured attributes win over those of the ARN, as they did before it came.
      this.#attributes = { ...settled, ...this.#attributes };
      this.#pending = undefined;
    });
  }

  get asyncAttributesPending(): boolean {
    return this.#pending !== undefined;
  }

  waitForAsyncAttributes(): Promise<void> {
    return this.#pending ?? SETTLED;
  }

  get attributes(): Attributes {
    return this.#attributes;
  }

  getRawAttributes(): [string, AttributeValue | undefined][] {
    return Object.entries(this.#attributes);
  }

  /** The attributes known now, `other`'s winning; pending ones are not carried over. */
  merge(other: Resource | null): Resource {
    if (other === null) return this;
    return new SettlingResource({ ...this.#attributes, ...other.attributes });
  }
}

export interface TracingResource {
  readonly resource: Resource;
  /** Settles the ARN attributes from the first invocation's ARN; later calls do nothing. */
  readonly settle: (invokedFunctionArn: string | undefined) => void;
}

/**
 * The Lambda resource attributes the environment of a function holds; none outside Lambda.
 *
 * @example
 * lambdaAttributes(process.env)['faas.name']; // 'orders-consumer'
 */
export function lambdaAttributes(env: Env): Attributes {
  const name = readEnv(env, 'AWS_LAMBDA_FUNCTION_NAME');
  if (name === undefined) return {};
  const attributes: Attributes = {
    'service.name': name,
    'cloud.provider': 'aws',
    'cloud.platform': 'aws_lambda',
    'faas.name': name,
  };
  const set = (key: string, value: AttributeValue | undefined): void => {
    if (value !== undefined) attributes[key] = value;
  };
  set('cloud.region', readEnv(env, 'AWS_REGION'));
  set('faas.version', readEnv(env, 'AWS_LAMBDA_FUNCTION_VERSION'));
  const memoryMiB = Number(readEnv(env, 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE'));
  if (Number.isInteger(memoryMiB) && memoryMiB > 0)
    set('faas.max_memory', memoryMiB * BYTES_PER_MIB);
  const group = readEnv(env, 'AWS_LAMBDA_LOG_GROUP_NAME');
  if (group !== undefined) set('aws.log.group.names', [group]);
  const stream = readEnv(env, 'AWS_LAMBDA_LOG_STREAM_NAME');
  if (stream !== undefined) {
    set('aws.log.stream.names', [stream]);
    // The FaaS conventions name the execution environment by its log stream on Lambda.
    set('faas.instance', stream);
  }
  return attributes;
}

/**
 * The attributes an invoked function ARN gives: `cloud.resource_id` (and its older name
 * `faas.id`) and `cloud.account.id`. As the conventions ask, an alias in the ARN is replaced
 * by the version that runs (`AWS_LAMBDA_FUNCTION_VERSION`): one execution environment can be
 * invoked through several aliases.
 *
 * @example
 * functionArnAttributes('arn:aws:lambda:eu-west-1:123456789012:function:orders:live', '7');
 * // { 'cloud.resource_id': 'arn:aws:lambda:eu-west-1:123456789012:function:orders:7', … }
 */
export function functionArnAttributes(arn: string, version: string | undefined): Attributes {
  const parts = arn.split(':');
  if (
    parts.length < UNQUALIFIED_ARN_PARTS ||
    parts[0] !== 'arn' ||
    parts[2] !== 'lambda' ||
    parts[5] !== 'function'
  ) {
    return {};
  }
  const unqualified = parts.slice(0, UNQUALIFIED_ARN_PARTS).join(':');
  const qualified = parts.length > UNQUALIFIED_ARN_PARTS;
  const resourceId = qualified && version !== undefined ? `${unqualified}:${version}` : arn;
  return {
    'cloud.resource_id': resourceId,
    'faas.id': resourceId,
    'cloud.account.id': parts[ARN_ACCOUNT_PART] ?? '',
  };
}

/**
 * The provider's resource. Precedence, lowest first: the SDK's defaults (as the SDK names them,
 * with tracebridge as the telemetry SDK), the Lambda
 * environment, `OTEL_RESOURCE_ATTRIBUTES` and the `resourceAttributes` option, then the
 * explicit service name.
 *
 * @example
 * const { resource, settle } = createResource({ serviceName: 'orders', resourceAttributes: {} }, process.env);
 */
export function createResource(
  config: { readonly serviceName: string | undefined; readonly resourceAttributes: Attributes },
  env: Env,
): TracingResource {
  const explicit = {
    'service.name': defaultServiceName(),
    ...SDK_ATTRIBUTES,
    ...lambdaAttributes(env),
    ...config.resourceAttributes,
    ...(config.serviceName === undefined ? {} : { 'service.name': config.serviceName }),
  };
  if (readEnv(env, 'AWS_LAMBDA_FUNCTION_NAME') === undefined) {
    return { resource: new SettlingResource(explicit), settle: () => {} };
  }
  let settleArn: (attributes: Attributes) => void = () => {};
  const fromArn = new Promise<Attributes>((resolve) => {
    settleArn = resolve;
  });
  const version = readEnv(env, 'AWS_LAMBDA_FUNCTION_VERSION');
  // Every invocation and every flush reports; only the first report counts, and the later ones
  // return before reading the ARN again.
  let settled = false;
  return {
    resource: new SettlingResource(explicit, fromArn),
    settle: (arn) => {
      if (settled) return;
      settled = true;
      settleArn(arn === undefined ? {} : functionArnAttributes(arn, version));
    },
  };
}
