import type { StreamSpec } from '../model.js';
import { checkProperties, templateError, warn } from './context.js';
import type { PropertyRules, ReadContext, ResourceEntry } from './context.js';
import { MAX_STREAM_NAME_LENGTH, ON_DEMAND_SHARD_COUNT } from './limits.js';
import { readMap, readOptionalInteger, readText } from './properties.js';

const STREAM_NAME = /^[A-Za-z0-9_.-]+$/; // Kinesis CreateStream: StreamName pattern

const STREAM_RULES: PropertyRules = {
  read: ['Name', 'ShardCount', 'StreamModeDetails'],
  // Encryption, tags and metrics change nothing locally; a local run ends long before the
  // retention period (24 hours at least).
  inert: ['Tags', 'StreamEncryption', 'RetentionPeriodHours', 'DesiredShardLevelMetrics'],
};

/**
 * Reads an `AWS::Kinesis::Stream`. An ON_DEMAND stream runs with the 4 shards a new
 * on-demand stream starts with on AWS, and a warning says so.
 *
 * @throws {@link TemplateError} for a name Kinesis refuses or a shard count below 1.
 *
 * @example
 * ```ts
 * const stream = readStream(ctx, 'OrdersStream', entry); // { streamName: 'OrdersStream', shardCount: 2, ... }
 * ```
 */
export function readStream(ctx: ReadContext, id: string, entry: ResourceEntry): StreamSpec {
  const properties = entry.properties;
  checkProperties(ctx, id, properties, STREAM_RULES);
  const where = `${id}.Name`;
  const streamName = readText(ctx, properties.Name, where) ?? id;
  if (!STREAM_NAME.test(streamName) || streamName.length > MAX_STREAM_NAME_LENGTH) {
    throw templateError(
      ctx,
      where,
      `${streamName} is not a valid stream name`,
      `Use up to ${MAX_STREAM_NAME_LENGTH} letters, digits, hyphens, underscores and dots`,
    );
  }
  const modeWhere = `${id}.StreamModeDetails`;
  const details = readMap(ctx, properties.StreamModeDetails, modeWhere) ?? {};
  checkProperties(ctx, modeWhere, details, { read: ['StreamMode'], inert: [] });
  const mode = readText(ctx, details.StreamMode, `${modeWhere}.StreamMode`) ?? 'PROVISIONED';
  if (mode !== 'PROVISIONED' && mode !== 'ON_DEMAND') {
    throw templateError(
      ctx,
      `${modeWhere}.StreamMode`,
      `is ${mode}`,
      'Use PROVISIONED or ON_DEMAND',
    );
  }
  const shardCount = readOptionalInteger(ctx, properties.ShardCount, `${id}.ShardCount`, {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  });
  if (mode === 'ON_DEMAND') {
    warn(
      ctx,
      modeWhere,
      `ON_DEMAND runs locally with ${ON_DEMAND_SHARD_COUNT} shards, as many as a new on-demand stream starts with`,
    );
  } else if (shardCount === undefined) {
    warn(
      ctx,
      id,
      `no ShardCount; the stream runs locally with ${ON_DEMAND_SHARD_COUNT} shards, as many as a new on-demand stream starts with`,
    );
  }
  return {
    logicalId: id,
    streamName,
    shardCount:
      mode === 'ON_DEMAND' ? ON_DEMAND_SHARD_COUNT : (shardCount ?? ON_DEMAND_SHARD_COUNT),
  };
}
