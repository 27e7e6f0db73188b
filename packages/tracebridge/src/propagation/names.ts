/** Reserved top-level JSON key that carries the trace context inside a JSON payload. */
export const OTEL_JSON_KEY = '_otel';

/** Datadog's carrier: a message attribute or JSON key holding `x-datadog-*` headers. */
export const DATADOG_KEY = '_datadog';

/** SQS system attribute that carries an X-Ray trace header. */
export const AWS_TRACE_HEADER = 'AWSTraceHeader';

/** HTTP header the AWS SDK and X-Ray use for the X-Ray trace header. */
export const X_AMZN_TRACE_ID_HEADER = 'X-Amzn-Trace-Id';

/** W3C Trace Context and Baggage field names, as OpenTelemetry's aws-sdk instrumentation uses them. */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';
export const BAGGAGE = 'baggage';
