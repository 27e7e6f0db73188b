// The span tracebridge's provider records: the OpenTelemetry API's Span, readable as the SDK's
// ReadableSpan so that any SDK exporter takes it. Its behaviour follows the SDK's span (limits,
// status rules, exception events, clock); what it leaves out is per-span work a Lambda function
// pays for on every message: a copy of each attribute set, a metrics hook, and an Error built
// for every warning.

import {
  type Attributes,
  type AttributeValue,
  type Context,
  diag,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
} from '@opentelemetry/api';
import type { ReadableSpan, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import type { Resource } from '@opentelemetry/resources';
import { monotonicMs } from './deadlines.js';

const MS_PER_SECOND = 1_000;
const NANOS_PER_MS = 1_000_000;
const NANOS_PER_SECOND = 1_000_000_000;

// Exception event and attribute names (OpenTelemetry semantic conventions for exceptions).
const EXCEPTION_EVENT = 'exception';
const EXCEPTION_TYPE = 'exception.type';
const EXCEPTION_MESSAGE = 'exception.message';
const EXCEPTION_STACKTRACE = 'exception.stacktrace';

/** What every span of one tracer shares. */
export interface SpanSettings {
  readonly resource: Resource;
  readonly scope: ReadableSpan['instrumentationScope'];
  readonly limits: Required<SpanLimits>;
  readonly processors: readonly SpanProcessor[];
}

/** What the tracer decided before the span exists. */
interface SpanStart {
  readonly name: string;
  readonly kind: SpanKind;
  readonly spanContext: SpanContext;
  readonly parentSpanContext: SpanContext | undefined;
  /** Already checked by `validAttributes`; the span adopts the object. */
  readonly attributes: Attributes;
  readonly links: readonly Link[];
  readonly startTime: TimeInput | undefined;
  readonly context: Context;
}

function isPrimitiveAttribute(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}

/** An array holding one primitive type, with null or undefined allowed anywhere (the SDK's rule). */
function isHomogeneousArray(values: readonly unknown[]): boolean {
  let type: string | undefined;
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const valueType = typeof value;
    if (type === undefined) {
      if (!isPrimitiveAttribute(value)) return false;
      type = valueType;
    } else if (valueType !== type) {
      return false;
    }
  }
  return true;
}

/** What `attributeValue` answers for a value no attribute can hold. */
const INVALID = Symbol('invalid attribute value');

/**
 * The value as an attribute may hold it (arrays copied, so later changes to the caller's array
 * do not reach the span), `undefined` for null or undefined, or `INVALID`.
 */
function attributeValue(value: unknown): AttributeValue | undefined | typeof INVALID {
  if (value === null || value === undefined) return undefined;
  if (isPrimitiveAttribute(value)) return value as AttributeValue;
  if (Array.isArray(value) && isHomogeneousArray(value)) return value.slice() as AttributeValue;
  return INVALID;
}

/**
 * A fresh object with the attributes that are valid; each invalid key or value is left out with a
 * warning, as the SDK does.
 *
 * @example
 * validAttributes({ 'messaging.system': 'aws_sqs', bad: {} }); // { 'messaging.system': 'aws_sqs' }
 */
export function validAttributes(attributes: Attributes | null | undefined): Attributes {
  const valid: Attributes = {};
  if (attributes === undefined || attributes === null) return valid;
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    const value = attributeValue(attributes[key]);
    if (value === INVALID) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
    } else if (key.length === 0) {
      diag.warn('Invalid attribute key: an empty string');
    } else if (value !== undefined) {
      valid[key] = value;
    }
  }
  return valid;
}

function hrTimeFromMs(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / MS_PER_SECOND);
  const nanos = Math.round((epochMs - seconds * MS_PER_SECOND) * NANOS_PER_MS);
  return nanos >= NANOS_PER_SECOND ? [seconds + 1, nanos - NANOS_PER_SECOND] : [seconds, nanos];
}

function isHrTime(time: unknown): time is HrTime {
  return (
    Array.isArray(time) &&
    time.length === 2 &&
    typeof time[0] === 'number' &&
    typeof time[1] === 'number'
  );
}

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || isHrTime(value);
}

function durationOf(start: HrTime, end: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    seconds -= 1;
    nanos += NANOS_PER_SECOND;
  }
  return [seconds, nanos];
}

/**
 * A recording span. Start times come from `Date.now()`, and later times (events, the end) add
 * the monotonic clock's progress since the start, as the SDK's span does, so durations stay
 * exact when the wall clock is adjusted.
 *
 * @example
 * ```ts
 * const span = tracer.startSpan('orders process'); // a LeanSpan, from tracebridge's provider
 * span.setAttribute('messaging.system', 'aws_sqs');
 * span.end();
 * ```
 */
export class LeanSpan implements Span, ReadableSpan {
  name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  endTime: HrTime = [0, 0];
  duration: HrTime = [-1, -1];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  readonly attributes: Attributes;
  readonly links: Link[] = [];
  readonly events: TimedEvent[] = [];
  ended = false;
  readonly resource: Resource;
  readonly instrumentationScope: ReadableSpan['instrumentationScope'];
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;

  readonly #spanContext: SpanContext;
  readonly #limits: Required<SpanLimits>;
  readonly #processors: readonly SpanProcessor[];
  #attributeCount = 0;
  /** The monotonic clock at the start; undefined when the caller gave the start time. */
  readonly #monotonicStart: number | undefined;

  constructor(settings: SpanSettings, start: SpanStart) {
    this.#spanContext = start.spanContext;
    this.#limits = settings.limits;
    this.#processors = settings.processors;
    this.resource = settings.resource;
    this.instrumentationScope = settings.scope;
    this.name = start.name;
    this.kind = start.kind;
    this.parentSpanContext = start.parentSpanContext;
    if (start.startTime === undefined) {
      this.#monotonicStart = monotonicMs();
      this.startTime = hrTimeFromMs(Date.now());
    } else {
      this.startTime = this.#timeOf(start.startTime);
    }
    this.attributes = this.#adopt(start.attributes);
    for (const link of start.links) this.#addValidLink(link);
    for (const processor of this.#processors) processor.onStart(this, start.context);
  }

  spanContext(): SpanContext {
    return this.#spanContext;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.#endedWarning('setAttribute')) return this;
    const valid = attributeValue(value);
    if (valid === undefined) return this;
    if (valid === INVALID) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
      return this;
    }
    if (key.length === 0) {
      diag.warn('Invalid attribute key: an empty string');
      return this;
    }
    const isNew = !Object.hasOwn(this.attributes, key);
    if (isNew && this.#attributeCount >= this.#limits.attributeCountLimit) {
      this.droppedAttributesCount++;
      return this;
    }
    this.attributes[key] = this.#truncated(valid);
    if (isNew) this.#attributeCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      if (Object.hasOwn(attributes, key)) this.setAttribute(key, attributes[key] as AttributeValue);
    }
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.#endedWarning('addEvent')) return this;
    const { eventCountLimit, attributePerEventCountLimit } = this.#limits;
    if (eventCountLimit === 0) {
      this.droppedEventsCount++;
      return this;
    }
    if (this.events.length >= eventCountLimit) {
      this.events.shift();
      this.droppedEventsCount++;
    }
    let attributes: Attributes | undefined;
    if (isTimeInput(attributesOrTime)) {
      time ??= attributesOrTime;
    } else {
      attributes = attributesOrTime;
    }
    const { kept, dropped } = this.#bounded(
      validAttributes(attributes),
      attributePerEventCountLimit,
    );
    this.events.push({
      name,
      attributes: kept,
      time: this.#timeOf(time),
      droppedAttributesCount: dropped,
    });
    return this;
  }

  addLink(link: Link): this {
    if (this.#endedWarning('addLink')) return this;
    this.#addValidLink(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.#endedWarning('setStatus')) return this;
    // An OK status is final, and UNSET never replaces a status (OpenTelemetry trace API).
    if (status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    if (status.code === SpanStatusCode.ERROR && typeof status.message === 'string') {
      this.status = { code: status.code, message: status.message };
    } else {
      this.status = { code: status.code };
    }
    return this;
  }

  updateName(name: string): this {
    if (!this.#endedWarning('updateName')) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) {
      diag.error(
        `${this.name} ${this.#spanContext.traceId}-${this.#spanContext.spanId} - You can only call end() on a span once.`,
      );
      return;
    }
    this.endTime = this.#timeOf(endTime);
    this.duration = durationOf(this.startTime, this.endTime);
    if (this.duration[0] < 0) {
      diag.warn(
        'Inconsistent start and end time, startTime > endTime. Setting span duration to 0ms.',
      );
      this.endTime = this.startTime.slice() as HrTime;
      this.duration = [0, 0];
    }
    if (this.droppedEventsCount > 0) {
      diag.warn(`Dropped ${this.droppedEventsCount} events because eventCountLimit reached`);
    }
    if (this.droppedLinksCount > 0) {
      diag.warn(`Dropped ${this.droppedLinksCount} links because linkCountLimit reached`);
    }
    this.ended = true;
    for (const processor of this.#processors) processor.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    // Callers in JavaScript pass whatever they caught, null included.
    const given: unknown = exception;
    if (typeof given === 'string') {
      attributes[EXCEPTION_MESSAGE] = given;
    } else if (typeof given === 'object' && given !== null) {
      const { code, name, message, stack } = given as Partial<Record<string, unknown>>;
      if ((typeof code === 'string' || typeof code === 'number') && code) {
        attributes[EXCEPTION_TYPE] = String(code);
      } else if (typeof name === 'string' && name !== '') {
        attributes[EXCEPTION_TYPE] = name;
      }
      if (typeof message === 'string' && message !== '') attributes[EXCEPTION_MESSAGE] = message;
      if (typeof stack === 'string' && stack !== '') attributes[EXCEPTION_STACKTRACE] = stack;
    }
    if (attributes[EXCEPTION_TYPE] !== undefined || attributes[EXCEPTION_MESSAGE] !== undefined) {
      this.addEvent(EXCEPTION_EVENT, attributes, time);
    } else {
      diag.warn(`Failed to record an exception of type ${typeof given}`);
    }
  }

  /** True, with a warning, when the span has ended and `operation` must do nothing. */
  #endedWarning(operation: string): boolean {
    if (!this.ended) return false;
    diag.warn(
      `Cannot execute the operation ${operation} on ended Span {traceId: ${this.#spanContext.traceId}, spanId: ${this.#spanContext.spanId}}`,
    );
    return true;
  }

  #timeOf(input: TimeInput | undefined): HrTime {
    if (input === undefined) {
      if (this.#monotonicStart === undefined) return hrTimeFromMs(Date.now());
      const elapsedNanos = Math.round((monotonicMs() - this.#monotonicStart) * NANOS_PER_MS);
      const nanos = this.startTime[1] + elapsedNanos;
      const carried = Math.floor(nanos / NANOS_PER_SECOND);
      return [this.startTime[0] + carried, nanos - carried * NANOS_PER_SECOND];
    }
    if (typeof input === 'number') {
      // A number no later than the monotonic clock is a performance timestamp (the SDK's rule).
      const sinceOrigin = performance.now();
      return hrTimeFromMs(input <= sinceOrigin ? input + Date.now() - sinceOrigin : input);
    }
    if (input instanceof Date) return hrTimeFromMs(input.getTime());
    return input;
  }

  /**
   * The start attributes (checked by the tracer), within the count and length limits, counted
   * for `setAttribute`. Within the limits, the tracer's object is adopted as it is.
   */
  #adopt(attributes: Attributes): Attributes {
    const { attributeCountLimit, attributeValueLengthLimit } = this.#limits;
    if (attributeValueLengthLimit === Infinity) {
      let count = 0;
      for (const key in attributes) if (Object.hasOwn(attributes, key)) count++;
      if (count <= attributeCountLimit) {
        this.#attributeCount = count;
        return attributes;
      }
    }
    const { kept, count, dropped } = this.#bounded(attributes, attributeCountLimit);
    this.#attributeCount = count;
    this.droppedAttributesCount += dropped;
    return kept;
  }

  /** At most `limit` of valid attributes (the first ones), each within the length limit. */
  #bounded(
    valid: Attributes,
    limit: number,
  ): { readonly kept: Attributes; readonly count: number; readonly dropped: number } {
    const kept: Attributes = {};
    let count = 0;
    let dropped = 0;
    for (const key in valid) {
      if (count >= limit) {
        dropped++;
      } else {
        kept[key] = this.#truncated(valid[key] as AttributeValue);
        count++;
      }
    }
    return { kept, count, dropped };
  }

  #addValidLink(link: Link): void {
    const { linkCountLimit, attributePerLinkCountLimit } = this.#limits;
    if (linkCountLimit === 0) {
      this.droppedLinksCount++;
      return;
    }
    if (this.links.length >= linkCountLimit) {
      this.links.shift();
      this.droppedLinksCount++;
    }
    const processed: {
      context: SpanContext;
      attributes?: Attributes;
      droppedAttributesCount?: number;
    } = { context: link.context };
    if (link.attributes !== undefined) {
      const { kept, count, dropped } = this.#bounded(
        validAttributes(link.attributes),
        attributePerLinkCountLimit,
      );
      if (count > 0) processed.attributes = kept;
      if (dropped > 0) processed.droppedAttributesCount = dropped;
    }
    this.links.push(processed);
  }

  #truncated(value: AttributeValue): AttributeValue {
    const limit = this.#limits.attributeValueLengthLimit;
    if (limit === Infinity) return value;
    if (typeof value === 'string') return value.length <= limit ? value : value.slice(0, limit);
    if (Array.isArray(value)) {
      return value.map((item: unknown) =>
        typeof item === 'string' && item.length > limit ? item.slice(0, limit) : item,
      ) as AttributeValue;
    }
    return value;
  }
}
