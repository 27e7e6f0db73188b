// Parsers for the values of OpenTelemetry's environment variables (and the matching options),
// each failing with a TracingConfigError that names the setting and the accepted values.

import { TracingConfigError } from '../errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

// Port numbers are 16-bit (RFC 793, RFC 768).
const MAX_PORT = 65_535;

/**
 * The value of an environment variable, or undefined when it is unset or blank (the
 * OpenTelemetry configuration spec treats an empty value as unset).
 *
 * @example
 * readEnv({ OTEL_SERVICE_NAME: ' orders ' }, 'OTEL_SERVICE_NAME'); // 'orders'
 */
export function readEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

/**
 * A comma-separated list, lower-cased, blanks dropped.
 *
 * @example
 * parseList('otlp, Console'); // ['otlp', 'console']
 */
export function parseList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
}

/**
 * Checks that `value` is one of `choices`.
 *
 * @example
 * parseChoice('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json', ['http/protobuf', 'http/json']);
 */
export function parseChoice<T extends string>(
  setting: string,
  value: string,
  choices: readonly T[],
): T {
  const found = choices.find((choice) => choice === value.toLowerCase());
  if (found !== undefined) return found;
  throw new TracingConfigError(
    setting,
    `${setting} is "${value}", which tracebridge does not support: use ${listOf(choices)}.`,
  );
}

/**
 * A list whose items must all be `choices`; `none` may only stand alone.
 *
 * @example
 * parseChoices('OTEL_TRACES_EXPORTER', ['otlp', 'xray'], ['otlp', 'console', 'xray', 'none']);
 */
export function parseChoices<T extends string>(
  setting: string,
  items: readonly string[],
  choices: readonly T[],
): T[] {
  const parsed = items.map((item) => parseChoice(setting, item, choices));
  if (parsed.length > 1 && parsed.includes('none' as T)) {
    throw new TracingConfigError(
      setting,
      `${setting} combines "none" with other values: use either "none" alone or a list of ${listOf(choices.filter((choice) => choice !== 'none'))}.`,
    );
  }
  return parsed;
}

/**
 * `key1=value1,key2=value2` (the format of `OTEL_EXPORTER_OTLP_HEADERS` and
 * `OTEL_RESOURCE_ATTRIBUTES`), values percent-decoded.
 *
 * @example
 * parseKeyValues('OTEL_EXPORTER_OTLP_HEADERS', 'x-api-key=abc,x-tenant=a%20b');
 * // { 'x-api-key': 'abc', 'x-tenant': 'a b' }
 */
export function parseKeyValues(setting: string, value: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const item of value.split(',')) {
    if (item.trim() === '') continue;
    const separator = item.indexOf('=');
    const key = item.slice(0, Math.max(separator, 0)).trim();
    if (separator < 0 || key === '') {
      throw new TracingConfigError(
        setting,
        `${setting} has "${item.trim()}", which is not a key=value pair: write key1=value1,key2=value2.`,
      );
    }
    try {
      pairs[key] = decodeURIComponent(item.slice(separator + 1).trim());
    } catch (cause) {
      throw new TracingConfigError(
        setting,
        `${setting} has a malformed percent-encoding in the value of "${key}": write %25 for a literal %.`,
        { cause },
      );
    }
  }
  return pairs;
}

// A header name is an RFC 9110 token; a value may hold no line break or NUL, which would end
// the header early and let the rest pass for headers or a body of its own.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE_BREAK = /[\r\n\0]/;

// The exporter frames and labels the body itself, from the protocol and compression settings;
// a second value would make the collector misread the body or the connection.
const HEADERS_SET_BY_EXPORTER: Readonly<Record<string, string>> = {
  'content-length': 'the length of each body',
  'transfer-encoding': 'the length of each body',
  'content-type': 'OTEL_EXPORTER_OTLP_PROTOCOL',
  'content-encoding': 'OTEL_EXPORTER_OTLP_COMPRESSION',
};

/**
 * HTTP request headers, checked so that none can break the request apart, with their names in
 * lower case: HTTP names are case-insensitive, so a traces-specific `X-Tenant` must replace a
 * generic `x-tenant`, not travel beside it. A `host` header replaces the endpoint's host.
 *
 * @example
 * parseHeaders('otlp.headers', { 'X-Api-Key': 'abc' }); // { 'x-api-key': 'abc' }
 */
export function parseHeaders(
  setting: string,
  headers: Readonly<Record<string, string>>,
): Record<string, string> {
  const parsed: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || HEADER_VALUE_BREAK.test(value)) {
      throw new TracingConfigError(
        setting,
        `${setting} has the header "${name}", whose name or value HTTP does not allow: use letters, digits and -_. in names, and no line breaks in values.`,
      );
    }
    const lowerName = name.toLowerCase();
    const setFrom = HEADERS_SET_BY_EXPORTER[lowerName];
    if (setFrom !== undefined) {
      throw new TracingConfigError(
        setting,
        `${setting} has the header "${name}", which the exporter sets itself from ${setFrom}: remove it.`,
      );
    }
    parsed[lowerName] = value;
  }
  return parsed;
}

/**
 * An http: or https: URL.
 *
 * @example
 * parseHttpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://localhost:4318');
 */
export function parseHttpUrl(setting: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new TracingConfigError(
      setting,
      `${setting} is "${value}", which is not a URL: write one like http://localhost:4318.`,
      { cause },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TracingConfigError(
      setting,
      `${setting} is "${value}": tracebridge sends OTLP over HTTP, so use an http:// or https:// URL.`,
    );
  }
  return url;
}

/**
 * A positive whole number of milliseconds.
 *
 * @example
 * parseMillis('OTEL_EXPORTER_OTLP_TIMEOUT', '5000'); // 5000
 */
export function parseMillis(setting: string, value: string | number): number {
  const millis = typeof value === 'number' ? value : Number(value);
  if (Number.isInteger(millis) && millis > 0) return millis;
  throw new TracingConfigError(
    setting,
    `${setting} is "${value}": use a positive whole number of milliseconds, such as 10000.`,
  );
}

/**
 * A sampling ratio between 0 and 1.
 *
 * @example
 * parseRatio('OTEL_TRACES_SAMPLER_ARG', '0.25'); // 0.25
 */
export function parseRatio(setting: string, value: string | number): number {
  const ratio = typeof value === 'number' ? value : Number(value);
  if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) return ratio;
  throw new TracingConfigError(
    setting,
    `${setting} is "${value}": use a sampling ratio between 0 and 1, such as 0.25.`,
  );
}

/**
 * The UDP address of the X-Ray daemon: `host:port`, or the daemon's own two-protocol form
 * `tcp:host:port udp:host:port` (of which the UDP part counts). IPv6 hosts go in brackets.
 *
 * @example
 * parseDaemonAddress('AWS_XRAY_DAEMON_ADDRESS', 'tcp:169.254.79.129:2000 udp:169.254.79.129:2000');
 * // { host: '169.254.79.129', port: 2000 }
 */
export function parseDaemonAddress(
  setting: string,
  value: string,
): { readonly host: string; readonly port: number } {
  const parts = value.trim().split(/\s+/);
  const udp = parts.find((part) => part.startsWith('udp:'));
  const single = parts.length === 1 && !value.includes('tcp:') ? parts[0] : undefined;
  const address = udp ? udp.slice('udp:'.length) : single;
  const separator = address?.lastIndexOf(':') ?? -1;
  const host = address?.slice(0, Math.max(separator, 0)).replace(/^\[(.*)\]$/, '$1') ?? '';
  const port = Number(address?.slice(separator + 1));
  if (host !== '' && Number.isInteger(port) && port > 0 && port <= MAX_PORT) return { host, port };
  throw new TracingConfigError(
    setting,
    `${setting} is "${value}": write the daemon's UDP address as host:port, such as 127.0.0.1:2000.`,
  );
}

function listOf(choices: readonly string[]): string {
  return choices.map((choice) => `"${choice}"`).join(', ');
}
