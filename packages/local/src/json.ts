/**
 * Narrows a parsed JSON value to an object whose members can be read.
 *
 * @example
 * ```ts
 * if (isRecord(parsed) && typeof parsed.QueueUrl === 'string') use(parsed.QueueUrl);
 * ```
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a JSON body or text; `undefined` when it is not JSON, so the upstream emulator
 * answers malformed requests itself.
 *
 * @example
 * ```ts
 * const input = parseJson(request.body);
 * ```
 */
export function parseJson(body: Buffer | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return undefined;
  }
}
