import { describe, expect, it } from 'vitest';
import { TracingConfigError } from '../errors.js';
import {
  parseChoices,
  parseDaemonAddress,
  parseHttpUrl,
  parseKeyValues,
  parseList,
  parseMillis,
  parseRatio,
  readEnv,
} from './parse.js';

function errorOf(run: () => unknown): TracingConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof TracingConfigError) return error;
    throw error;
  }
  throw new Error('expected a TracingConfigError');
}

describe('readEnv', () => {
  it('trims, and treats blank values as unset', () => {
    expect(readEnv({ A: '  x ' }, 'A')).toBe('x');
    expect(readEnv({ A: '   ' }, 'A')).toBeUndefined();
    expect(readEnv({}, 'A')).toBeUndefined();
  });
});

describe('parseList and parseChoices', () => {
  it('splits, trims, lower-cases and drops blanks', () => {
    expect(parseList(' OTLP, ,console ,')).toEqual(['otlp', 'console']);
  });

  it('names the setting and the accepted values for an unknown item', () => {
    const error = errorOf(() => parseChoices('OTEL_TRACES_EXPORTER', ['jaeger'], ['otlp', 'none']));

    expect(error.setting).toBe('OTEL_TRACES_EXPORTER');
    expect(error.message).toBe(
      'OTEL_TRACES_EXPORTER is "jaeger", which tracebridge does not support: use "otlp", "none".',
    );
  });

  it('refuses "none" next to other values', () => {
    expect(errorOf(() => parseChoices('X', ['none', 'otlp'], ['otlp', 'none'])).message).toMatch(
      /"none" alone/,
    );
  });
});

describe('parseKeyValues', () => {
  it('reads pairs with percent-decoded values', () => {
    expect(parseKeyValues('H', 'api-key=a%3Db , tenant = acme ,')).toEqual({
      'api-key': 'a=b',
      tenant: 'acme',
    });
  });

  it('refuses an item without "=" or without a key, and a broken percent-encoding', () => {
    expect(errorOf(() => parseKeyValues('H', 'a=1,oops')).message).toMatch(/"oops".*key=value/);
    expect(errorOf(() => parseKeyValues('H', '=1')).message).toMatch(/key=value/);
    const broken = errorOf(() => parseKeyValues('H', 'a=%zz'));
    expect(broken.message).toMatch(/percent-encoding/);
    expect(broken.cause).toBeInstanceOf(URIError);
  });
});

describe('parseHttpUrl', () => {
  it('accepts http and https URLs only', () => {
    expect(parseHttpUrl('U', 'https://collector:4318').href).toBe('https://collector:4318/');
    expect(errorOf(() => parseHttpUrl('U', 'localhost:4318')).message).toMatch(/http:\/\//);
    expect(errorOf(() => parseHttpUrl('U', 'grpc://collector:4317')).message).toMatch(/http/);
    expect(errorOf(() => parseHttpUrl('U', 'not a url')).cause).toBeInstanceOf(TypeError);
  });
});

describe('parseMillis and parseRatio', () => {
  it('accept positive whole milliseconds and ratios within [0, 1]', () => {
    expect(parseMillis('T', '2500')).toBe(2500);
    expect(parseRatio('R', '0')).toBe(0);
    expect(parseRatio('R', 1)).toBe(1);
    for (const bad of ['0', '-1', '1.5', 'soon'])
      expect(() => parseMillis('T', bad)).toThrow(TracingConfigError);
    for (const bad of ['-0.1', '1.01', 'half', 'NaN'])
      expect(() => parseRatio('R', bad)).toThrow(TracingConfigError);
  });
});

describe('parseDaemonAddress', () => {
  it('reads host:port, the two-protocol form and bracketed IPv6', () => {
    expect(parseDaemonAddress('A', '127.0.0.1:2000')).toEqual({ host: '127.0.0.1', port: 2000 });
    expect(parseDaemonAddress('A', 'tcp:10.0.0.1:2001 udp:10.0.0.2:2002')).toEqual({
      host: '10.0.0.2',
      port: 2002,
    });
    expect(parseDaemonAddress('A', '[::1]:2000')).toEqual({ host: '::1', port: 2000 });
  });

  it('refuses addresses without a usable UDP host and port', () => {
    for (const bad of ['127.0.0.1', ':2000', 'host:0', 'host:70000', 'tcp:10.0.0.1:2000']) {
      expect(errorOf(() => parseDaemonAddress('AWS_XRAY_DAEMON_ADDRESS', bad)).message).toMatch(
        /host:port/,
      );
    }
  });
});
