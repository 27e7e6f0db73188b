import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { type RunningEmulator, startSqsEmulator } from '@tracebridge/local/emulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractRecordContext } from '../src/index.js';
import { sqsRecordFromMessage } from './lambda-events.js';

const producer = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'official-producer.cjs');
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startSqsEmulator();
});
afterAll(() => emulator.close());

describe('interop with @opentelemetry/instrumentation-aws-sdk', () => {
  it("extracts the context of messages sent through OpenTelemetry's own instrumentation", async () => {
    const sqs = new SQSClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'peer-queue' }));
    const { stdout } = await promisify(execFile)(process.execPath, [
      producer,
      emulator.endpoint,
      QueueUrl!,
    ]);
    const spans = JSON.parse(stdout) as {
      name: string;
      kind: number;
      traceId: string;
      spanId: string;
    }[];
    const messages: Message[] = [];
    while (messages.length < 3) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      messages.push(...Messages);
    }
    expect(spans.length).toBeGreaterThanOrEqual(2);
    for (const message of messages) {
      const extracted = extractRecordContext(sqsRecordFromMessage(message, 'peer-queue'));
      expect(extracted.carrier).toBe('message-attributes');
      const sender = spans.find((span) => span.spanId === extracted.spanContext?.spanId);
      expect(sender, `no peer span for ${message.Body ?? ''}`).toBeDefined();
      expect(sender!.traceId).toBe(extracted.spanContext?.traceId);
    }
  });
});
