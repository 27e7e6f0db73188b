/**
 * Thrown by `startMappings` when an event source or subscription cannot be mapped as
 * given: a resource it names was never resolved, a batch setting is outside what Lambda
 * accepts, an emulator endpoint is missing. The message names the event source and says
 * what to change.
 *
 * @example
 * ```ts
 * try {
 *   await startMappings(options);
 * } catch (error) {
 *   if (error instanceof MappingConfigError) console.error(error.message);
 *   throw error;
 * }
 * ```
 */
export class MappingConfigError extends Error {
  override readonly name = 'MappingConfigError';
}

/**
 * Thrown by `startMappings` when the emulators refuse what a mapping needs at start (a
 * queue's attributes, a stream's shards, a subscription). `cause` holds the AWS SDK error.
 * Nothing keeps running after it is thrown.
 *
 * @example
 * ```ts
 * try {
 *   await startMappings(options);
 * } catch (error) {
 *   if (error instanceof MappingStartError) console.error(error.message, error.cause);
 *   throw error;
 * }
 * ```
 */
export class MappingStartError extends Error {
  override readonly name = 'MappingStartError';
}
