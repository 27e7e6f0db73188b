/**
 * Thrown when a function cannot be built: esbuild reported errors, or the build did not produce
 * the file the function's `Handler` names. The message names the function and carries esbuild's
 * messages; `cause` holds esbuild's own error when there is one.
 *
 * @example
 * ```ts
 * try {
 *   await runner.build();
 * } catch (error) {
 *   if (error instanceof FunctionBuildError) console.error(error.functionName, error.message);
 *   throw error;
 * }
 * ```
 */
export class FunctionBuildError extends Error {
  override readonly name = 'FunctionBuildError';

  constructor(
    readonly functionName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`Could not build function ${functionName}: ${message}`, options);
  }
}

/**
 * Thrown when a function's configuration cannot be turned into a running process, for example an
 * environment variable that refers to another resource while no resolver was given.
 *
 * @example
 * ```ts
 * const runner = createFunctionRunner({
 *   functions,
 *   resolveTemplateValue: (value) => resolveValue(value, resources),
 * });
 * ```
 */
export class FunctionConfigurationError extends Error {
  override readonly name = 'FunctionConfigurationError';
}

/**
 * Thrown by `invoke` for a function name the runner does not know, as Lambda answers
 * `ResourceNotFoundException`.
 *
 * @example
 * ```ts
 * await runner.invoke('NoSuchFunction', {}).catch((error: unknown) => {
 *   if (error instanceof FunctionNotFoundError) console.error(error.message);
 * });
 * ```
 */
export class FunctionNotFoundError extends Error {
  override readonly name = 'FunctionNotFoundError';
}

/**
 * Thrown by `invoke` when the event cannot be serialised as JSON (a cycle, a `BigInt`): Lambda
 * only accepts JSON payloads. `cause` holds the serialiser's error.
 *
 * @example
 * ```ts
 * await runner.invoke('Producer', { id: 1n }).catch((error: unknown) => {
 *   if (error instanceof InvalidPayloadError) console.error(error.message, error.cause);
 * });
 * ```
 */
export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';
}

/**
 * Thrown by `invoke` once the runner has been closed.
 *
 * @example
 * ```ts
 * await runner.close();
 * await runner.invoke('Producer', {}); // rejects with FunctionRunnerClosedError
 * ```
 */
export class FunctionRunnerClosedError extends Error {
  override readonly name = 'FunctionRunnerClosedError';
}
