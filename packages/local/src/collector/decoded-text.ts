// Text and ids decoded from protobuf, through a small table of recent results. Most text in
// an export repeats, from span to span and from export to export (attribute keys, span names,
// most attribute values), and so do ids within an export (every message span of a batch links
// to the same invocation span, whose links name each message's trace again). A repeated field
// comes back as the string already made for it: checking its bytes in JavaScript costs less
// than the call into C++ that decoding them takes, and the store then holds one copy instead
// of one per span, which is less for the garbage collector to move.

// A power of two, for the mask.
const SLOTS = 4096;
const SLOT_MASK = SLOTS - 1;
// Longer text is rarely repeated (payloads, stack traces) and costs more to compare.
const MAX_CACHED_TEXT_BYTES = 64;
// Span ids are 8 bytes and trace ids 16; longer "ids" are malformed and decoded as they are.
const MAX_CACHED_ID_BYTES = 16;

/**
 * Strings by slot, each with the bytes it was decoded from, so a hit is a comparison of bytes
 * with bytes: the same bytes always decode to the same text, invalid UTF-8 included. (Reading
 * the characters of a cached string back was slower: a string used as a property key may have
 * become a pointer to another copy.)
 */
interface DecodedTable {
  readonly strings: string[];
  readonly lengths: Int32Array;
  readonly bytes: Uint8Array;
  readonly slotBytes: number;
}

function decodedTable(slotBytes: number): DecodedTable {
  return {
    strings: new Array<string>(SLOTS).fill(''),
    lengths: new Int32Array(SLOTS),
    bytes: new Uint8Array(SLOTS * slotBytes),
    slotBytes,
  };
}

// 256 KiB and 64 KiB of bytes, and a pointer a slot for the strings.
const recentText = decodedTable(MAX_CACHED_TEXT_BYTES);
const recentIds = decodedTable(MAX_CACHED_ID_BYTES);

/**
 * The UTF-8 text of `bytes[start, end)`; invalid sequences become U+FFFD.
 *
 * @example
 * decodeText(Buffer.from('service.name'), 0, 12); // 'service.name'
 */
export function decodeText(bytes: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return '';
  if (length > MAX_CACHED_TEXT_BYTES) return bytes.toString('utf8', start, end);
  // The length and four bytes spread over the text are enough to tell apart the keys and
  // values that repeat; a collision only costs a miss, since a hit compares every byte.
  const hash =
    Math.imul(length, 0x9e3779b1) ^
    Math.imul(bytes[start] as number, 0x85ebca6b) ^
    Math.imul(bytes[start + (length >> 2)] as number, 0x165667b1) ^
    Math.imul(bytes[start + (length >> 1)] as number, 0xc2b2ae35) ^
    Math.imul(bytes[end - 1] as number, 0x27d4eb2f);
  // The high bits, where the multiplications mix best.
  const slot = (hash >>> 20) & SLOT_MASK;
  return (
    lookUp(recentText, slot, bytes, start, length) ??
    remember(recentText, slot, bytes, start, length, bytes.toString('utf8', start, end))
  );
}

/**
 * `bytes[start, end)` as lowercase hex.
 *
 * @example
 * decodeHex(Buffer.from([0xde, 0xad]), 0, 2); // 'dead'
 */
export function decodeHex(bytes: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return '';
  if (length > MAX_CACHED_ID_BYTES) return bytes.toString('hex', start, end);
  // Ids are random: three of their bytes spread them over the table as well as any hash.
  const slot =
    ((bytes[start] as number) |
      ((bytes[start + (length >> 1)] as number) << 8) |
      ((bytes[end - 1] as number) << 16)) &
    SLOT_MASK;
  return (
    lookUp(recentIds, slot, bytes, start, length) ??
    remember(recentIds, slot, bytes, start, length, bytes.toString('hex', start, end))
  );
}

function lookUp(
  table: DecodedTable,
  slot: number,
  bytes: Buffer,
  start: number,
  length: number,
): string | undefined {
  if (table.lengths[slot] !== length) return undefined;
  const saved = table.bytes;
  const at = slot * table.slotBytes;
  for (let i = 0; i < length; i++) {
    if (saved[at + i] !== bytes[start + i]) return undefined;
  }
  return table.strings[slot];
}

function remember(
  table: DecodedTable,
  slot: number,
  bytes: Buffer,
  start: number,
  length: number,
  decoded: string,
): string {
  const at = slot * table.slotBytes;
  for (let i = 0; i < length; i++) table.bytes[at + i] = bytes[start + i] as number;
  table.lengths[slot] = length;
  table.strings[slot] = decoded;
  return decoded;
}
