// Local AWS emulators for tracebridge's tests and local runtime: SQS and SNS (fauxqs),
// Kinesis Data Streams (kinesalite), each behind a front on 127.0.0.1 that adds what
// tracing depends on.
export { EmulatorStartError } from './errors.js';
export { startKinesisEmulator } from './kinesis.js';
export type { KinesisEmulatorOptions } from './kinesis.js';
export { DEFAULT_SQS_MAX_MESSAGE_BYTES, startSqsEmulator } from './sqs.js';
export type { SqsEmulatorOptions } from './sqs.js';
export type { RunningEmulator } from './running-emulator.js';
