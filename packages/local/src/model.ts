/**
 * The architecture a template describes, as the local runtime needs it. The template reader
 * produces it; the emulators, the function runner and the event source mappings consume it.
 * Resource references inside it (environment variables, event sources) are still logical ids:
 * physical names, URLs and ARNs exist only once the emulators run (see `ResolvedResources`).
 */

/** Account and region every local resource lives in. */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/**
 * The ARN of a local resource: `arn:aws:<service>:<region>:<account>:<resource>`.
 *
 * @example
 * ```ts
 * localArn('kinesis', 'stream/orders'); // 'arn:aws:kinesis:us-east-1:000000000000:stream/orders'
 * ```
 */
export function localArn(service: string, resource: string): string {
  return `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${resource}`;
}

/** A template value that may depend on other resources, kept symbolic until they exist. */
export type TemplateValue =
  | string
  | number
  | boolean
  | { readonly ref: string }
  | { readonly getAtt: readonly [logicalId: string, attribute: string] }
  | { readonly join: readonly [separator: string, parts: readonly TemplateValue[]] }
  | { readonly sub: string; readonly variables: Readonly<Record<string, TemplateValue>> };

/** How SAM's esbuild builder is told to build a function (`Metadata.BuildProperties`). */
export interface BuildSpec {
  /** Entry files relative to the function's CodeUri (`EntryPoints`). */
  readonly entryPoints: readonly string[];
  readonly format: 'esm' | 'cjs';
  /** Output extension, e.g. `.mjs` from `OutExtension: ['.js=.mjs']`. */
  readonly outExtension: string;
  readonly minify: boolean;
  readonly sourcemap: boolean;
  readonly target: string;
  readonly external: readonly string[];
  /** Package.json fields esbuild resolves packages by (`MainFields`); esbuild's default when empty. */
  readonly mainFields: readonly string[];
  /** Text put at the top of each output file, by file type (`Banner: ['js=…']`). */
  readonly banner: Readonly<Record<string, string>>;
  /** esbuild loaders by file extension (`Loader: ['.png=file']`). */
  readonly loader: Readonly<Record<string, string>>;
  /** Whether source maps embed the sources (`SourcesContent`; esbuild's default is true). */
  readonly sourcesContent: boolean;
}

export interface FunctionSpec {
  readonly logicalId: string;
  /** `FunctionName` when set, else the logical id. */
  readonly functionName: string;
  /** Absolute directory of the function's code (`CodeUri`). */
  readonly codeUri: string;
  /** `file.export`, relative to the build output, as Lambda reads it. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly tracing: 'Active' | 'PassThrough';
  readonly environment: Readonly<Record<string, TemplateValue>>;
  /** `undefined` when the function has no esbuild metadata (then CodeUri holds runnable JS). */
  readonly build: BuildSpec | undefined;
}

export interface QueueSpec {
  readonly logicalId: string;
  /** `QueueName` when set, else the logical id (plus `.fifo` for FIFO queues). */
  readonly queueName: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly redrive:
    { readonly deadLetterQueue: string; readonly maxReceiveCount: number } | undefined;
}

export interface StreamSpec {
  readonly logicalId: string;
  readonly streamName: string;
  readonly shardCount: number;
}

export interface TopicSpec {
  readonly logicalId: string;
  readonly topicName: string;
}

/** A topic subscription that delivers to a queue. */
export interface SubscriptionSpec {
  readonly topic: string;
  readonly queue: string;
  readonly rawMessageDelivery: boolean;
}

/** An event source mapping or SNS trigger of a function. */
export type EventSourceSpec =
  | {
      readonly kind: 'sqs';
      readonly function: string;
      readonly queue: string;
      readonly batchSize: number;
      readonly maximumBatchingWindowSeconds: number;
      readonly reportBatchItemFailures: boolean;
      readonly enabled: boolean;
    }
  | {
      readonly kind: 'kinesis';
      readonly function: string;
      readonly stream: string;
      readonly batchSize: number;
      readonly maximumBatchingWindowSeconds: number;
      readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
      readonly reportBatchItemFailures: boolean;
      /** -1 means retry until the record expires, as Lambda's default. */
      readonly maximumRetryAttempts: number;
      readonly enabled: boolean;
    }
  | { readonly kind: 'sns'; readonly function: string; readonly topic: string };

/** Everything the local runtime runs, read from one template. */
export interface Architecture {
  readonly templatePath: string;
  readonly functions: readonly FunctionSpec[];
  readonly queues: readonly QueueSpec[];
  readonly streams: readonly StreamSpec[];
  readonly topics: readonly TopicSpec[];
  readonly subscriptions: readonly SubscriptionSpec[];
  readonly eventSources: readonly EventSourceSpec[];
  /** One line per resource, property or intrinsic that the runtime ignores, never silently. */
  readonly warnings: readonly string[];
}

/** Physical identity of a resource once it exists, by logical id: what `Ref` and `GetAtt` read. */
export interface ResolvedResource {
  /** What `!Ref` returns (queue URL, stream name, topic ARN, function name). */
  readonly ref: string;
  /** What `!GetAtt Id.Name` returns (`Arn`, `QueueName`, `QueueUrl`, ...). */
  readonly attributes: Readonly<Record<string, string>>;
}
export type ResolvedResources = ReadonlyMap<string, ResolvedResource>;

/** The result of one function invocation, as the runtime reports it. */
export type InvocationResult =
  | { readonly status: 'ok'; readonly payload: unknown; readonly durationMs: number }
  | {
      readonly status: 'error' | 'timeout' | 'crashed';
      readonly errorType: string;
      readonly errorMessage: string;
      readonly durationMs: number;
    };

/** What event source mappings and the CLI invoke functions through. */
export interface FunctionInvoker {
  invoke(functionName: string, event: unknown): Promise<InvocationResult>;
}
