/**
 * The value of one hex digit, given its character code (0-9, a-f, A-F); callers pass digits of
 * ids already known to be hex.
 *
 * @example
 * hexDigitValue('f'.charCodeAt(0)); // 15
 */
export function hexDigitValue(code: number): number {
  return code <= 57 ? code - 48 : (code | 0x20) - 87;
}
