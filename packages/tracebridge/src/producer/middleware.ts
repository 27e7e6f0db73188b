import {
  type Attributes,
  context as otelContext,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
  type TracerProvider,
  type TextMapPropagator,
} from '@opentelemetry/api';
import type {
  FinalizeHandlerArguments,
  FinalizeHandler,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  MetadataBearer,
  MiddlewareStack,
  Pluggable,
} from '@smithy/types';
import { describeError, recordFailure, warnOnce } from '../propagation/diag.js';
import { X_AMZN_TRACE_ID_HEADER } from '../propagation/names.js';
import { isPlainRecord, ownProperty, ownString } from '../propagation/propagator.js';
import { formatXRayHeader } from '../propagation/xray.js';
import { TRACEBRIDGE_SCOPE, TRACEBRIDGE_VERSION } from '../version.js';
import type { EntryResult, ProducerCommand, ProducerService } from './command.js';
import { eventBridgeProducer } from './eventbridge.js';
import { kinesisProducer } from './kinesis.js';
import { snsProducer } from './sns.js';
import { sqsProducer } from './sqs.js';

/** Options of {@link tracePropagation}. */
export interface TracePropagationOptions {
  /** Provider of the tracer for send spans; the global one by default. */
  readonly tracerProvider?: TracerProvider;
  /** Propagator that writes the context; W3C Trace Context and Baggage by default. */
  readonly propagator?: TextMapPropagator;
  /**
   * Kinesis only: wrap data that is not a JSON object in the tracebridge binary envelope so it
   * carries the context too. Off by default; see `injectKinesisRecord`.
   */
  readonly binaryEnvelope?: boolean;
  /**
   * SQS and SNS: the largest message (and batch request) the destination accepts; 262,144 bytes
   * by default, 1,048,576 for queues whose `MaximumMessageSize` was raised to 1 MiB.
   */
  readonly maxMessageBytes?: number;
}

const SERVICES: Readonly<Record<string, ProducerService>> = {
  SQSClient: sqsProducer,
  SNSClient: snsProducer,
  KinesisClient: kinesisProducer,
  EventBridgeClient: eventBridgeProducer,
};

const SEND_MIDDLEWARE = 'tracebridgeSendSpanMiddleware';
const TRACE_HEADER_MIDDLEWARE = 'tracebridgeTraceHeaderMiddleware';

/** X-Ray header of each call's send span, handed from the initialize step to the request. */
const traceHeaders = new WeakMap<HandlerExecutionContext, string>();

function sendAttributes(
  service: ProducerService,
  command: ProducerCommand,
  destination: string,
): Attributes {
  return {
    'messaging.system': service.system,
    'messaging.destination.name': destination,
    'messaging.operation.type': 'send',
    'messaging.operation.name': command.operation,
    'rpc.system': 'aws-api',
    'rpc.service': service.rpcService,
    'rpc.method': command.operation,
  };
}

function recordResult(span: Span, result: EntryResult | undefined): void {
  if (!result) return;
  if (result.messageId !== undefined) span.setAttribute('messaging.message.id', result.messageId);
  if (result.partition !== undefined)
    span.setAttribute('messaging.destination.partition.id', result.partition);
  if (result.error !== undefined)
    span.setStatus({ code: SpanStatusCode.ERROR, message: result.error });
}

/** The `create` spans of a batch's entries, children of the send span. */
function startEntrySpans(
  tracer: Tracer,
  destination: string,
  sendAttributes: Attributes,
  sendContext: Context,
  count: number,
): Span[] {
  // Built once per call, not per entry: the SDK copies the attributes into each span it starts.
  const name = `create ${destination}`;
  const options = {
    kind: SpanKind.PRODUCER,
    attributes: { ...sendAttributes, 'messaging.operation.type': 'create' },
  };
  return Array.from({ length: count }, () => tracer.startSpan(name, options, sendContext));
}

interface TracedCall {
  readonly sendSpan: Span;
  readonly entrySpans: readonly Span[];
  readonly input: Record<string, unknown>;
}

/**
 * Starts the send span (and, for batches of more than one message, a `create` span per entry,
 * as the messaging semantic conventions recommend) and returns the input carrying their
 * contexts. Throws only on a bug or a hostile input; the caller then sends the original input.
 */
function startCall(
  tracer: Tracer,
  service: ProducerService,
  command: ProducerCommand,
  input: Record<string, unknown>,
  options: TracePropagationOptions,
): TracedCall {
  const destination = command.destination(input);
  const entryCount = command.entryCount(input);
  const attributes = sendAttributes(service, command, destination);
  if (entryCount !== undefined) attributes['messaging.batch.message_count'] = entryCount;
  const parent = otelContext.active();
  const sendSpan = tracer.startSpan(
    `send ${destination}`,
    { kind: SpanKind.PRODUCER, attributes },
    parent,
  );
  const sendContext = trace.setSpan(parent, sendSpan);
  const entrySpans =
    entryCount !== undefined && entryCount > 1
      ? startEntrySpans(tracer, destination, attributes, sendContext, entryCount)
      : [];
  const contexts: Context[] =
    entrySpans.length > 0
      ? entrySpans.map((span) => trace.setSpan(sendContext, span))
      : Array.from({ length: entryCount ?? 1 }, () => sendContext);
  return { sendSpan, entrySpans, input: command.inject(input, contexts, options) };
}

function finishCall(call: TracedCall, command: ProducerCommand, output: unknown): void {
  const results = command.results(output, call.input);
  const requestId = ownString(ownProperty(output, '$metadata'), 'requestId');
  if (requestId !== undefined) call.sendSpan.setAttribute('aws.request_id', requestId);
  if (call.entrySpans.length === 0) {
    recordResult(call.sendSpan, results.length === 1 ? results[0] : undefined);
  } else {
    call.entrySpans.forEach((span, index) => {
      recordResult(span, results[index]);
    });
  }
  const failures = results.filter((result) => result.error !== undefined).length;
  if (failures > 0 && call.entrySpans.length > 0) {
    call.sendSpan.setStatus({
      code: SpanStatusCode.ERROR,
      message: `${failures} of ${call.entrySpans.length} entries failed`,
    });
  }
}

function endCall(call: TracedCall): void {
  for (const span of call.entrySpans) span.end();
  call.sendSpan.end();
}

function sendSpanMiddleware(tracer: Tracer, options: TracePropagationOptions) {
  return <Input extends object, Output extends MetadataBearer>(
      next: InitializeHandler<Input, Output>,
      handlerContext: HandlerExecutionContext,
    ): InitializeHandler<Input, Output> =>
    async (args: InitializeHandlerArguments<Input>) => {
      const service = SERVICES[handlerContext.clientName ?? ''];
      const command = service?.commands[handlerContext.commandName ?? ''];
      if (!service || !command || !isPlainRecord(args.input)) return next(args);
      let call: TracedCall;
      try {
        call = startCall(tracer, service, command, args.input, options);
      } catch (error) {
        warnOnce(
          'producer-inject',
          `could not trace a ${service.rpcService} call; it is sent untraced (${describeError(error)})`,
        );
        return next(args);
      }
      traceHeaders.set(handlerContext, formatXRayHeader(call.sendSpan.spanContext()));
      try {
        const result = await next({ ...args, input: call.input as Input });
        try {
          finishCall(call, command, result.output);
        } catch (error) {
          warnOnce(
            'producer-results',
            `could not read a ${service.rpcService} response (${describeError(error)})`,
          );
        }
        return result;
      } catch (error) {
        recordFailure(call.sendSpan, error);
        for (const span of call.entrySpans) recordFailure(span, error);
        throw error;
      } finally {
        endCall(call);
      }
    };
}

/**
 * Sets `X-Amzn-Trace-Id` to the send span. The SDK's recursion detection copies the Lambda
 * function's own trace header there in the build step; SQS turns that header into the
 * message's `AWSTraceHeader`, so without this the consumer would link to the sending Lambda
 * invocation instead of the send span.
 */
function traceHeaderMiddleware<Input extends object, Output extends MetadataBearer>(
  next: FinalizeHandler<Input, Output>,
  handlerContext: HandlerExecutionContext,
): FinalizeHandler<Input, Output> {
  return (args: FinalizeHandlerArguments<Input>) => {
    const header = traceHeaders.get(handlerContext);
    const request = args.request;
    if (header !== undefined && isPlainRecord(request) && isPlainRecord(request.headers)) {
      const headers = request.headers;
      for (const name of Object.keys(headers)) {
        if (name.toLowerCase() === X_AMZN_TRACE_ID_HEADER.toLowerCase())
          Reflect.deleteProperty(headers, name);
      }
      headers[X_AMZN_TRACE_ID_HEADER] = header;
    }
    return next(args);
  };
}

/**
 * An AWS SDK v3 plugin that traces every send of `SQSClient`, `SNSClient`, `KinesisClient` and
 * `EventBridgeClient` (SendMessage, SendMessageBatch, Publish, PublishBatch, PutRecord,
 * PutRecords, PutEvents): a PRODUCER span per call named `send <destination>` with the
 * OpenTelemetry messaging attributes, a `create <destination>` span per entry of a batch, and
 * the context injected into every message (see the README for each carrier). It never replaces
 * an attribute the caller set and never makes a call fail: SDK errors are recorded on the span
 * and re-thrown unchanged.
 *
 * @example
 * ```ts
 * import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
 * import { tracePropagation } from 'tracebridge';
 *
 * const sqs = new SQSClient({});
 * sqs.middlewareStack.use(tracePropagation());
 * await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(order) }));
 * ```
 */
export function tracePropagation(
  options: TracePropagationOptions = {},
): Pluggable<object, MetadataBearer> {
  const tracer = (options.tracerProvider ?? trace).getTracer(
    TRACEBRIDGE_SCOPE,
    TRACEBRIDGE_VERSION,
  );
  return {
    applyToStack: (stack: MiddlewareStack<object, MetadataBearer>) => {
      stack.add(sendSpanMiddleware(tracer, options), {
        step: 'initialize',
        name: SEND_MIDDLEWARE,
        override: true,
      });
      stack.add(traceHeaderMiddleware, {
        step: 'finalizeRequest',
        name: TRACE_HEADER_MIDDLEWARE,
        priority: 'high',
        override: true,
      });
    },
  };
}
