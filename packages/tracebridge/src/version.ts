/** The tracebridge version, used as the instrumentation scope version. Kept equal to package.json by a test. */
export const TRACEBRIDGE_VERSION = '0.1.0';

/** Instrumentation scope name of every span tracebridge creates. */
export const TRACEBRIDGE_SCOPE = 'tracebridge';
