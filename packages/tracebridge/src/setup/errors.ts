/**
 * Thrown by `initTracing` when an option or an environment variable holds a value tracebridge
 * cannot use. The message names the setting and says what to change; `setting` is that name
 * (an option path such as `otlp.url`, or an environment variable).
 *
 * @example
 * ```ts
 * import { initTracing, TracingConfigError } from 'tracebridge/setup';
 *
 * try {
 *   initTracing();
 * } catch (error) {
 *   if (error instanceof TracingConfigError) console.error(error.setting, error.message);
 *   throw error;
 * }
 * ```
 */
export class TracingConfigError extends Error {
  override readonly name = 'TracingConfigError';

  constructor(
    readonly setting: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
