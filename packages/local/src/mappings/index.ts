// Lambda's event source mappings, run locally against the emulators: SQS and Kinesis
// pollers that batch and invoke, SNS triggers, and the template's topic subscriptions.
export { MappingConfigError, MappingStartError } from './errors.js';
export { startMappings } from './start.js';
export type { RunningMappings } from './start.js';
export type { MappingEndpoints, MappingsOptions, PollingOptions } from './options.js';
export type { MappedArchitecture } from './plan.js';
export type { BackoffOptions, MappingLogger } from './polling.js';
export type { MappingCounts, MappingStat, MappingStats } from './stats.js';
export type { LambdaSnsEvent } from './sns-event.js';
export { toSqsRecord } from './sqs-event.js';
export type { SqsRecordSource } from './sqs-event.js';
export { toKinesisRecord } from './kinesis-event.js';
export type { KinesisRecordSource } from './kinesis-event.js';
