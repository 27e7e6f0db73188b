import { trace } from '@opentelemetry/api';
import {
  type EventBridgeEntryInput,
  eventBridgeEntryByteLength,
  injectEventBridgeEntryWithin,
} from '../propagation/eventbridge.js';
import { MAX_EVENTBRIDGE_PUT_EVENTS_BYTES } from '../propagation/limits.js';
import { isPlainRecord, ownString, w3cPropagator } from '../propagation/propagator.js';
import { contextTextMap } from '../propagation/sqs.js';
import { formatXRayHeader } from '../propagation/xray.js';
import { entriesOf, lastSegment, type ProducerService } from './command.js';

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
      inject: (input, contexts, options) => {
        const entries = entriesOf(input, 'Entries') as (EventBridgeEntryInput &
          Record<string, unknown>)[];
        let requestBytes = entries.reduce(
          (sum, entry) => sum + eventBridgeEntryByteLength(entry),
          0,
        );
        const Entries = entries.map((entry, index) => {
          const context = contexts[index];
          const spanContext = context && trace.getSpanContext(context);
          const textMap = context && contextTextMap(context, options.propagator ?? w3cPropagator);
          if (!spanContext || !textMap) return entry;
          const entryBytes = eventBridgeEntryByteLength(entry);
          const limit = entryBytes + Math.max(MAX_EVENTBRIDGE_PUT_EVENTS_BYTES - requestBytes, 0);
          const injected = injectEventBridgeEntryWithin(
            entry,
            textMap,
            formatXRayHeader(spanContext),
            limit,
          );
          requestBytes += eventBridgeEntryByteLength(injected) - entryBytes;
          return injected;
        });
        return { ...input, Entries };
      },
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
