import { ownString } from '../propagation/propagator.js';
import {
  injectSnsMessageWithin,
  injectSnsMessage,
  type SnsMessageInput,
} from '../propagation/sns.js';
import { entriesOf, lastSegment, type ProducerService, resultsById } from './command.js';
import { injectMessageBatch } from './message-batch.js';

const topicName = (input: Record<string, unknown>): string =>
  ownString(input, 'PhoneNumber') !== undefined
    ? 'phone_number'
    : lastSegment(ownString(input, 'TopicArn') ?? ownString(input, 'TargetArn'), /:/);

/** SNS sends: Publish and PublishBatch. */
export const snsProducer: ProducerService = {
  system: 'aws.sns',
  rpcService: 'SNS',
  commands: {
    PublishCommand: {
      operation: 'Publish',
      destination: topicName,
      entryCount: () => undefined,
      inject: (input, [context], options) =>
        context
          ? injectSnsMessage(input as SnsMessageInput & Record<string, unknown>, context, options)
          : input,
      results: (output) => [{ messageId: ownString(output, 'MessageId') }],
    },
    PublishBatchCommand: {
      operation: 'PublishBatch',
      destination: topicName,
      entryCount: (input) => entriesOf(input, 'PublishBatchRequestEntries').length,
      inject: (input, contexts, options) => ({
        ...input,
        PublishBatchRequestEntries: injectMessageBatch(
          entriesOf(input, 'PublishBatchRequestEntries'),
          'Message',
          contexts,
          options,
          injectSnsMessageWithin,
        ),
      }),
      results: (output, input) =>
        resultsById(output, entriesOf(input, 'PublishBatchRequestEntries'), 'MessageId'),
    },
  },
};
