/** What happened to the records of one mapping, or of all of them. */
export interface MappingCounts {
  /** Invocations: one per batch (per SNS message). */
  readonly batches: number;
  /** Records passed to the function, counted again on every redelivery. */
  readonly delivered: number;
  /** Records the function processed: deleted from the queue, or checkpointed in the stream. */
  readonly succeeded: number;
  /** Deliveries of a record that failed (an error, a timeout, a reported item failure). */
  readonly failed: number;
  /** Failed records that will be delivered again. */
  readonly retried: number;
  /** SQS records that used up their queue's `maxReceiveCount`: the queue moves them to its dead-letter queue. */
  readonly deadLettered: number;
  /** Kinesis and SNS records given up after their last retry, as Lambda discards them. */
  readonly discarded: number;
}

/** The counts of one event source mapping. */
export interface MappingStat extends MappingCounts {
  readonly kind: 'sqs' | 'kinesis' | 'sns';
  /** The function's name, as it is invoked. */
  readonly function: string;
  /** Logical id of the queue, stream or topic. */
  readonly source: string;
}

/**
 * Counts per mapping and in total. Every record is settled once
 * `succeeded + deadLettered + discarded` reaches the number of records sent.
 */
export interface MappingStats {
  readonly mappings: readonly MappingStat[];
  readonly total: MappingCounts;
}

/** The counts a poller updates as it goes. */
export type Counters = { -readonly [Key in keyof MappingCounts]: number };

/** A mapping's identity and its live counters. */
export interface CountedMapping {
  readonly kind: MappingStat['kind'];
  readonly function: string;
  readonly source: string;
  readonly counters: Counters;
}

const COUNT_NAMES = [
  'batches',
  'delivered',
  'succeeded',
  'failed',
  'retried',
  'deadLettered',
  'discarded',
] as const satisfies readonly (keyof MappingCounts)[];

/**
 * Fresh counters, all zero.
 *
 * @example
 * ```ts
 * const counters = createCounters();
 * counters.batches += 1;
 * ```
 */
export function createCounters(): Counters {
  return {
    batches: 0,
    delivered: 0,
    succeeded: 0,
    failed: 0,
    retried: 0,
    deadLettered: 0,
    discarded: 0,
  };
}

/**
 * A snapshot of every mapping's counters and their sum.
 *
 * @example
 * ```ts
 * const { total } = snapshotStats(mappings);
 * const settled = total.succeeded + total.deadLettered + total.discarded;
 * ```
 */
export function snapshotStats(mappings: readonly CountedMapping[]): MappingStats {
  const total = createCounters();
  const stats = mappings.map((mapping): MappingStat => {
    for (const name of COUNT_NAMES) total[name] += mapping.counters[name];
    return {
      kind: mapping.kind,
      function: mapping.function,
      source: mapping.source,
      ...mapping.counters,
    };
  });
  return { mappings: stats, total };
}
