/**
 * Thrown when an emulator cannot start: an option is out of range, or a port cannot be
 * bound. `cause` holds the underlying error (for a port in use, a Node.js `EADDRINUSE`
 * error), and the message says what to change.
 *
 * @example
 * ```ts
 * try {
 *   await startSqsEmulator({ port: 4566 });
 * } catch (error) {
 *   if (error instanceof EmulatorStartError) console.error(error.message, error.cause);
 *   throw error;
 * }
 * ```
 */
export class EmulatorStartError extends Error {
  override readonly name = 'EmulatorStartError';
}
