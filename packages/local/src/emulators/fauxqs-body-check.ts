// SQS accepts a message body of the characters #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to
// #xFFFD | #x10000 to #x10FFFF (SendMessage, MessageBody, SQS API Reference). fauxqs 1.9.2
// tests bodies with a pattern that lacks the `u` flag, so it reads every character above
// U+FFFF (an emoji, a CJK Extension B ideograph) as two lone surrogates and refuses the whole
// message with InvalidMessageContents: an application that works on AWS would fail locally.

/** Any character SQS refuses in a message body. */
const SQS_INVALID_BODY_CHARACTER = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

// The module of fauxqs 1.9.2 that holds the pattern, beside the package's entry point.
const FAUXQS_BODY_PATTERN_MODULE = './sqs/sqsTypes.js';

/**
 * Makes fauxqs check message bodies as SQS does. Its send actions call `test` on one shared
 * pattern object, which gets SQS's own check as its `test`. Another fauxqs version, without
 * that module or that pattern, is left as it is.
 *
 * @example
 * ```ts
 * await acceptSqsBodyCharacters();
 * const fauxqs = buildApp({ logger: false });
 * ```
 */
export async function acceptSqsBodyCharacters(): Promise<void> {
  let pattern: unknown;
  try {
    const module = (await import(
      new URL(FAUXQS_BODY_PATTERN_MODULE, import.meta.resolve('fauxqs')).href
    )) as { readonly INVALID_MESSAGE_BODY_CHAR?: unknown };
    pattern = module.INVALID_MESSAGE_BODY_CHAR;
  } catch {
    return;
  }
  if (!(pattern instanceof RegExp) || pattern.unicode || Object.hasOwn(pattern, 'test')) return;
  Object.defineProperty(pattern, 'test', {
    value: (text: string) => SQS_INVALID_BODY_CHARACTER.test(text),
  });
}
