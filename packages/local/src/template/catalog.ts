// Which CloudFormation resource types the local runtime runs, and what `!GetAtt` can read
// from each. Everything else in a template is either wiring between them, permissions, or
// named in a warning.

/** What a resource becomes locally. */
export type ResourceKind = 'function' | 'queue' | 'stream' | 'topic';

/** The resource type SAM's transform expands, and whose properties `Globals.Function` fills. */
export const SAM_FUNCTION = 'AWS::Serverless::Function';

/** Resource types that run locally, by the kind they become. */
export const LOCAL_RESOURCE_TYPES: Readonly<Record<string, ResourceKind>> = {
  [SAM_FUNCTION]: 'function',
  'AWS::Lambda::Function': 'function',
  'AWS::SQS::Queue': 'queue',
  'AWS::Kinesis::Stream': 'stream',
  'AWS::SNS::Topic': 'topic',
};

/** The `!GetAtt` attributes of each kind that have a local value (`physicalResources`). */
export const ATTRIBUTES = {
  function: ['Arn'],
  queue: ['Arn', 'QueueName', 'QueueUrl'],
  stream: ['Arn'],
  topic: ['TopicArn', 'TopicName'],
} as const satisfies Record<ResourceKind, readonly string[]>;

/** What each kind is called in messages. */
export const KIND_TYPES = {
  function: 'AWS::Serverless::Function or AWS::Lambda::Function',
  queue: 'AWS::SQS::Queue',
  stream: 'AWS::Kinesis::Stream',
  topic: 'AWS::SNS::Topic',
} as const satisfies Record<ResourceKind, string>;

/** Resource types that connect the ones above; read into event sources and subscriptions. */
export const WIRING_TYPES: readonly string[] = [
  'AWS::Lambda::EventSourceMapping',
  'AWS::SNS::Subscription',
];

/**
 * Resource types with nothing to run: permissions are not enforced locally and logs go to
 * the terminal, so skipping them changes nothing and needs no warning.
 */
export const INERT_TYPES: readonly string[] = [
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::InstanceProfile',
  'AWS::Lambda::Permission',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::Logs::LogGroup',
];
