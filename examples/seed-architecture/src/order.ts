import { createHash } from 'node:crypto';

/** An order as the producer writes it and both consumers read it. */
export interface Order {
  readonly id: string;
  readonly customer: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
  /** Amounts in the smallest currency unit; kept as integers end to end. */
  readonly totalCents: number;
  readonly placedAt: string;
}

/** Reads an order back from a payload, failing loudly on anything else. */
export function parseOrder(text: string): Order {
  const value = JSON.parse(text) as Partial<Order>;
  if (typeof value.id !== 'string' || !Array.isArray(value.items)) {
    throw new Error(`not an order: ${text.slice(0, 80)}`);
  }
  return value as Order;
}

/**
 * A digest of a payload's exact bytes, recorded on the producer's and the consumers' spans so
 * that anyone can check in the traces that the consumer got the producer's bytes unchanged.
 */
export function payloadDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
