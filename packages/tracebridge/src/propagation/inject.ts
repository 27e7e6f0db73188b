import { type Context, trace, type TextMapPropagator } from '@opentelemetry/api';
import { describeError, warnOnce } from './diag.js';
import { type TextMap, textMapSetter, w3cPropagator } from './propagator.js';
import { isValidSpanContext } from './w3c.js';

/** Options of the low-level inject functions. */
export interface InjectOptions {
  /** Propagator that writes the text map; W3C Trace Context and Baggage by default. */
  readonly propagator?: TextMapPropagator;
  /**
   * SQS and SNS: the largest message the destination accepts, body plus attributes.
   * `MAX_SQS_SNS_MESSAGE_BYTES` (256 KiB) by default; 1,048,576 for a queue whose
   * `MaximumMessageSize` was raised to 1 MiB.
   */
  readonly maxMessageBytes?: number;
}

/**
 * The text map of a context, or `undefined` when there is nothing to carry: no valid span, or a
 * propagator that wrote nothing (`OTEL_PROPAGATORS=none`, suppressed tracing) or threw. Callers
 * then leave the message as it is, rather than adding an empty `_otel` or failing the send.
 * Every injector of every service starts here, so the default propagator is settled here once.
 */
export function contextTextMap(
  context: Context,
  propagator: TextMapPropagator = w3cPropagator,
): TextMap | undefined {
  const spanContext = trace.getSpanContext(context);
  if (!spanContext || !isValidSpanContext(spanContext)) return undefined;
  const textMap: TextMap = {};
  try {
    propagator.inject(context, textMap, textMapSetter);
  } catch (error) {
    warnOnce(
      'propagator-threw-injecting',
      `the propagator threw while injecting; the message is sent without a trace context (${describeError(error)})`,
    );
    return undefined;
  }
  return Object.keys(textMap).length > 0 ? textMap : undefined;
}
