import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

import { LOCAL_REGION } from '../model.js';
import type { MappingEndpoints } from './options.js';

/**
 * Region and credentials of every SDK client the runtime itself uses against the emulators:
 * they check no signature, but the SDK still needs credentials to sign with.
 */
export const LOCAL_CLIENT_CONFIG = {
  region: LOCAL_REGION,
  credentials: { accessKeyId: 'tracebridge', secretAccessKey: 'tracebridge' },
} as const;

// One attempt per call: the pollers retry with their own bounded backoff and log an outage
// once, where the SDK's retries would only delay noticing it.
const SDK_MAX_ATTEMPTS = 1;

/** The SDK clients of the mappings, one per service in use. */
export interface MappingClients {
  readonly sqs: SQSClient | undefined;
  readonly sns: SNSClient | undefined;
  readonly kinesis: KinesisClient | undefined;
  /** Closes their connections. */
  destroy(): void;
}

/** Which services the mappings use. */
export interface ServicesInUse {
  readonly sqs: boolean;
  readonly sns: boolean;
  readonly kinesis: boolean;
}

/**
 * Creates the AWS SDK clients the mappings talk to the emulators with, for the services in
 * use. The Kinesis client speaks HTTP/1.1, as kinesalite behind the emulator's front does,
 * so that each shard's poll has a connection of its own.
 *
 * @example
 * ```ts
 * const clients = createClients({ sqs: sqsEmulator.endpoint }, { sqs: true, sns: false, kinesis: false });
 * clients.destroy();
 * ```
 */
export function createClients(endpoints: MappingEndpoints, used: ServicesInUse): MappingClients {
  const common = { ...LOCAL_CLIENT_CONFIG, maxAttempts: SDK_MAX_ATTEMPTS };
  const snsEndpoint = endpoints.sns ?? endpoints.sqs;
  const sqs =
    used.sqs && endpoints.sqs !== undefined
      ? new SQSClient({ ...common, endpoint: endpoints.sqs })
      : undefined;
  const sns =
    used.sns && snsEndpoint !== undefined
      ? new SNSClient({ ...common, endpoint: snsEndpoint })
      : undefined;
  const kinesis =
    used.kinesis && endpoints.kinesis !== undefined
      ? new KinesisClient({
          ...common,
          endpoint: endpoints.kinesis,
          requestHandler: new NodeHttpHandler(),
        })
      : undefined;
  return {
    sqs,
    sns,
    kinesis,
    destroy() {
      sqs?.destroy();
      sns?.destroy();
      kinesis?.destroy();
    },
  };
}
