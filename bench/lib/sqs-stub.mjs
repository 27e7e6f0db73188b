// An SQSClient whose transport answers SendMessageBatch at once, without a network.
// Shared by the ESM children and (through the .cjs twin) the CommonJS one.
export { ENTRIES, entries, entriesCarrying, stubbedClientOptions } from './sqs-stub.cjs';
