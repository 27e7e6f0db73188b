// The function runner of the local runtime: builds a template's functions like SAM's esbuild
// builder, runs each in its own Node.js process with Lambda's environment, context, timeout and
// freeze-between-invocations, and emits the Lambda service's own spans for every invocation.
export { createFunctionRunner } from './runner.js';
export type { FunctionInvocationResult, FunctionRunner, FunctionRunnerOptions } from './runner.js';
export type { TemplateValueResolver } from './environment.js';
export type { LogSink } from './logs.js';
export { LambdaOrigin, XRAY_ORIGIN_ATTRIBUTE } from './service-spans.js';
export {
  FunctionBuildError,
  FunctionConfigurationError,
  FunctionNotFoundError,
  FunctionRunnerClosedError,
  InvalidPayloadError,
} from './errors.js';
