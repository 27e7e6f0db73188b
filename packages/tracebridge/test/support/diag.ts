import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';

/** Captures the diagnostic logger's warnings and errors. */
export function captureDiagnostics(): { readonly warnings: string[]; readonly errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  const ignore = (): void => {};
  const logger: DiagLogger = {
    error: (message) => errors.push(message),
    warn: (message) => warnings.push(message),
    info: ignore,
    debug: ignore,
    verbose: ignore,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return { warnings, errors };
}

/** Resolves with the promise's value, or fails the test if it is still pending after `ms`. */
export async function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`still pending after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}
