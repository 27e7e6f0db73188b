import {
  type EventBridgeEntryInput,
  eventBridgeEntryByteLength,
  injectEventBridgeEntryWithin,
} from '../propagation/eventbridge.js';
import { MAX_EVENTBRIDGE_PUT_EVENTS_BYTES } from '../propagation/limits.js';
import { isPlainRecord, ownString } from '../propagation/propagator.js';
import { entriesOf, injectWithinRequest, lastSegment, type ProducerService } from './command.js';

/** Name of the bus PutEvents sends to when an entry names none. */
const DEFAULT_EVENT_BUS = 'default';

/** EventBridge sends: PutEvents, whose entries share one 256 KiB request budget. */
export const eventBridgeProducer: ProducerService = {
  system: 'aws.eventbridge',
  rpcService: 'EventBridge',
  commands: {
    PutEventsCommand: {
      operation: 'PutEvents',
      destination: (input) => {
        const bus = ownString(entriesOf(input, 'Entries')[0], 'EventBusName');
        return bus ? lastSegment(bus, /\//) : DEFAULT_EVENT_BUS;
      },
      entryCount: (input) => entriesOf(input, 'Entries').length,
      inject: (input, contexts, options) => ({
        ...input,
        Entries: injectWithinRequest(
          entriesOf(input, 'Entries') as (EventBridgeEntryInput & Record<string, unknown>)[],
          {
            maxRequestBytes: MAX_EVENTBRIDGE_PUT_EVENTS_BYTES,
            maxEntryBytes: MAX_EVENTBRIDGE_PUT_EVENTS_BYTES,
          },
          eventBridgeEntryByteLength,
          (entry, index, maxEntryBytes) => {
            const context = contexts[index];
            return context
              ? injectEventBridgeEntryWithin(entry, context, options.propagator, maxEntryBytes)
              : entry;
          },
        ),
      }),
      results: (output) => {
        const entries =
          isPlainRecord(output) && Array.isArray(output.Entries) ? output.Entries : [];
        return entries.map((entry) => {
          const errorCode = ownString(entry, 'ErrorCode');
          return {
            messageId: ownString(entry, 'EventId'),
            error: errorCode && `${errorCode}: ${ownString(entry, 'ErrorMessage') ?? ''}`,
          };
        });
      },
    },
  },
};
