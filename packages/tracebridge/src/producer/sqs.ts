import {
  injectSqsMessageWithin,
  injectSqsMessage,
  type SqsMessageInput,
} from '../propagation/sqs.js';
import { ownString } from '../propagation/propagator.js';
import { entriesOf, lastSegment, type ProducerService, resultsById } from './command.js';
import { injectMessageBatch } from './message-batch.js';

const queueName = (input: Record<string, unknown>): string =>
  lastSegment(ownString(input, 'QueueUrl'), /\//);

/** SQS sends: SendMessage and SendMessageBatch. */
export const sqsProducer: ProducerService = {
  system: 'aws_sqs',
  rpcService: 'SQS',
  commands: {
    SendMessageCommand: {
      operation: 'SendMessage',
      destination: queueName,
      entryCount: () => undefined,
      inject: (input, [context], options) =>
        context
          ? injectSqsMessage(input as SqsMessageInput & Record<string, unknown>, context, options)
          : input,
      results: (output) => [{ messageId: ownString(output, 'MessageId') }],
    },
    SendMessageBatchCommand: {
      operation: 'SendMessageBatch',
      destination: queueName,
      entryCount: (input) => entriesOf(input, 'Entries').length,
      inject: (input, contexts, options) => ({
        ...input,
        Entries: injectMessageBatch(
          entriesOf(input, 'Entries'),
          'MessageBody',
          contexts,
          options,
          injectSqsMessageWithin,
        ),
      }),
      results: (output, input) => resultsById(output, entriesOf(input, 'Entries'), 'MessageId'),
    },
  },
};
