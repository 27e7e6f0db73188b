import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { FunctionSpec, TemplateValue } from '../model.js';
import { readBuild } from './build.js';
import { SAM_FUNCTION } from './catalog.js';
import { checkProperties, templateError, warn } from './context.js';
import { isRecord } from '../json.js';
import type { PropertyRules, ReadContext, ResourceEntry } from './context.js';
import { convert, intrinsicName } from './intrinsics.js';
import {
  DEFAULT_MEMORY_MB,
  DEFAULT_TIMEOUT_SECONDS,
  MAX_FUNCTION_NAME_LENGTH,
  MAX_MEMORY_MB,
  MAX_TIMEOUT_SECONDS,
  MIN_MEMORY_MB,
} from './limits.js';
import { readInteger, readMap, readText } from './properties.js';

/** Where a function's code is and how Lambda starts it. */
export interface FunctionCode {
  /** Absolute folder of the code. */
  readonly codeUri: string;
  readonly handler: string;
  readonly runtime: string;
}

// SAM CLI reads a function without CodeUri from the template's folder (sam_function_provider).
const SAM_DEFAULT_CODE_URI = '.';
const FUNCTION_NAME = /^[A-Za-z0-9_-]+$/; // Lambda CreateFunction: FunctionName pattern

// Names Lambda sets itself and refuses in a function's configuration (Lambda developer
// guide, "Defined runtime environment variables").
const RESERVED_VARIABLES: readonly string[] = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
];

// IAM, deployment, versioning, signing, encryption and descriptions change nothing in how
// the code runs. Architectures neither: the bundle is JavaScript.
const COMMON_INERT = ['Description', 'Architectures', 'Role', 'Tags', 'KmsKeyArn'];
const SAM_RULES: PropertyRules = {
  read: [
    'CodeUri',
    'Handler',
    'Runtime',
    'Timeout',
    'MemorySize',
    'Tracing',
    'Environment',
    'FunctionName',
    'PackageType',
    'Events',
  ],
  inert: [
    ...COMMON_INERT,
    'Policies',
    'RolePath',
    'AssumeRolePolicyDocument',
    'PermissionsBoundary',
    'PropagateTags',
    'CodeSigningConfigArn',
    'AutoPublishAlias',
    'AutoPublishAliasAllProperties',
    'AutoPublishCodeSha256',
    'VersionDescription',
    'DeploymentPreference',
    'RuntimeManagementConfig',
  ],
};
const LAMBDA_RULES: PropertyRules = {
  read: [
    'Code',
    'Handler',
    'Runtime',
    'Timeout',
    'MemorySize',
    'TracingConfig',
    'Environment',
    'FunctionName',
    'PackageType',
  ],
  inert: [...COMMON_INERT, 'CodeSigningConfigArn', 'RuntimeManagementConfig'],
};

/**
 * The function's physical name: `FunctionName`, else its logical id.
 *
 * @throws {@link TemplateError} when `FunctionName` is not a valid Lambda function name.
 *
 * @example
 * ```ts
 * ctx.names.set('ProducerFunction', functionName(ctx, 'ProducerFunction', entry));
 * ```
 */
export function functionName(ctx: ReadContext, id: string, entry: ResourceEntry): string {
  const where = `${id}.FunctionName`;
  const name = readText(ctx, entry.properties.FunctionName, where) ?? id;
  if (!FUNCTION_NAME.test(name) || name.length > MAX_FUNCTION_NAME_LENGTH) {
    throw templateError(
      ctx,
      where,
      `${name} is not a valid function name`,
      `Use up to ${MAX_FUNCTION_NAME_LENGTH} letters, digits, hyphens and underscores`,
    );
  }
  return name;
}

/**
 * Finds the function's code and how to start it. `undefined`, with a warning, for a function
 * the local runtime cannot run: a container image, inline or S3 code, a runtime other than
 * Node.js.
 *
 * @throws {@link TemplateError} when the code folder does not exist, or Handler or Runtime is
 *   missing or malformed.
 *
 * @example
 * ```ts
 * const code = await readFunctionCode(ctx, 'ProducerFunction', entry);
 * ```
 */
export async function readFunctionCode(
  ctx: ReadContext,
  id: string,
  entry: ResourceEntry,
): Promise<FunctionCode | undefined> {
  const located = locateCode(ctx, id, entry);
  if ('skip' in located) {
    warn(ctx, id, `${located.skip}; the function and its event sources are ignored`);
    return undefined;
  }
  const handler = readText(ctx, entry.properties.Handler, `${id}.Handler`);
  if (handler === undefined || !handler.includes('.')) {
    throw templateError(
      ctx,
      `${id}.Handler`,
      handler === undefined ? 'is missing' : `${handler} has no dot between file and export`,
      'Write it as file.export, e.g. index.handler',
    );
  }
  const codeUri = await codeFolder(ctx, located.where, located.path);
  return { codeUri, handler, runtime: located.runtime };
}

/** Where the code is and what runs it, or why the local runtime cannot run it. */
function locateCode(
  ctx: ReadContext,
  id: string,
  entry: ResourceEntry,
):
  | { readonly skip: string }
  | { readonly path: string; readonly where: string; readonly runtime: string } {
  const properties = entry.properties;
  const sam = entry.type === SAM_FUNCTION;
  const packageType = readText(ctx, properties.PackageType, `${id}.PackageType`);
  if (packageType === 'Image' || properties.ImageUri !== undefined) {
    return { skip: 'container image functions (PackageType: Image) are not run locally' };
  }
  if (sam && properties.InlineCode !== undefined) return { skip: 'InlineCode is not run locally' };

  const key = sam ? 'CodeUri' : 'Code';
  const where = `${id}.${key}`;
  const location = sam ? (properties.CodeUri ?? SAM_DEFAULT_CODE_URI) : properties.Code;
  if (location === undefined || location === null) {
    throw templateError(
      ctx,
      where,
      'is missing',
      'Set it to the folder of the code, relative to the template',
    );
  }
  if (isRecord(location) && intrinsicName(location) === undefined) {
    const kind = 'ZipFile' in location ? 'inline code' : 'code on S3';
    return { skip: `${kind} (${key}.${Object.keys(location).join(', ')}) is not run locally` };
  }
  const path = readText(ctx, location, where);
  if (path === undefined) {
    throw templateError(
      ctx,
      where,
      'cannot be evaluated locally',
      'Write the folder as plain text',
    );
  }
  if (path.startsWith('s3://')) return { skip: `code on S3 (${key}: ${path}) is not run locally` };

  const runtime = readText(ctx, properties.Runtime, `${id}.Runtime`);
  if (runtime === undefined) {
    const fix = sam
      ? 'Set Runtime (e.g. nodejs20.x) here or under Globals.Function'
      : 'Set Runtime, e.g. nodejs20.x';
    throw templateError(ctx, `${id}.Runtime`, 'is missing', fix);
  }
  if (!runtime.startsWith('nodejs')) {
    return { skip: `Runtime ${runtime} is not run locally, only nodejs runtimes are` };
  }
  return { path, where, runtime };
}

async function codeFolder(ctx: ReadContext, where: string, path: string): Promise<string> {
  const absolute = resolve(ctx.folder, path);
  let folder: boolean;
  try {
    folder = (await stat(absolute)).isDirectory();
  } catch (cause) {
    throw templateError(
      ctx,
      where,
      `${path} does not exist (${absolute})`,
      'Point it at the folder of the function code, relative to the template',
      cause,
    );
  }
  if (!folder) {
    throw templateError(
      ctx,
      where,
      `${path} is a file`,
      'Point it at the folder that holds the unpacked code',
    );
  }
  return absolute;
}

/**
 * Reads everything else of a function that runs locally: limits, tracing, environment and
 * build.
 *
 * @example
 * ```ts
 * const spec = await readFunction(ctx, 'ProducerFunction', entry, code);
 * ```
 */
export async function readFunction(
  ctx: ReadContext,
  id: string,
  entry: ResourceEntry,
  code: FunctionCode,
): Promise<FunctionSpec> {
  const properties = entry.properties;
  const sam = entry.type === SAM_FUNCTION;
  checkProperties(ctx, id, properties, sam ? SAM_RULES : LAMBDA_RULES);
  const { build, environment } = await readBuild(ctx, id, entry.definition.Metadata, {
    codeUri: code.codeUri,
    handler: code.handler,
    environment: readEnvironment(ctx, id, properties.Environment),
  });
  return {
    logicalId: id,
    functionName: ctx.names.get(id) ?? id,
    codeUri: code.codeUri,
    handler: code.handler,
    runtime: code.runtime,
    timeoutSeconds: readInteger(ctx, properties.Timeout, `${id}.Timeout`, DEFAULT_TIMEOUT_SECONDS, {
      min: 1,
      max: MAX_TIMEOUT_SECONDS,
    }),
    memoryMb: readInteger(ctx, properties.MemorySize, `${id}.MemorySize`, DEFAULT_MEMORY_MB, {
      min: MIN_MEMORY_MB,
      max: MAX_MEMORY_MB,
    }),
    tracing: sam
      ? samTracing(ctx, id, properties.Tracing)
      : lambdaTracing(ctx, id, properties.TracingConfig),
    environment,
    build,
  };
}

// Lambda's default mode is PassThrough; SAM's Disabled leaves the mode at that default.
function samTracing(ctx: ReadContext, id: string, raw: unknown): FunctionSpec['tracing'] {
  const mode = readText(ctx, raw, `${id}.Tracing`) ?? 'PassThrough';
  if (mode === 'Active' || mode === 'PassThrough') return mode;
  if (mode === 'Disabled') return 'PassThrough';
  throw templateError(ctx, `${id}.Tracing`, `is ${mode}`, 'Use Active, PassThrough or Disabled');
}

function lambdaTracing(ctx: ReadContext, id: string, raw: unknown): FunctionSpec['tracing'] {
  const where = `${id}.TracingConfig`;
  const config = readMap(ctx, raw, where) ?? {};
  const mode = readText(ctx, config.Mode, `${where}.Mode`) ?? 'PassThrough';
  if (mode === 'Active' || mode === 'PassThrough') return mode;
  throw templateError(ctx, `${where}.Mode`, `is ${mode}`, 'Use Active or PassThrough');
}

function readEnvironment(
  ctx: ReadContext,
  id: string,
  raw: unknown,
): Record<string, TemplateValue> {
  const where = `${id}.Environment`;
  const environment = readMap(ctx, raw, where);
  if (environment === undefined) return {};
  checkProperties(ctx, where, environment, { read: ['Variables'], inert: [] });
  const variables = readMap(ctx, environment.Variables, `${where}.Variables`) ?? {};
  const result: Record<string, TemplateValue> = {};
  for (const [name, value] of Object.entries(variables)) {
    const at = `${where}.Variables.${name}`;
    if (RESERVED_VARIABLES.includes(name)) {
      throw templateError(ctx, at, 'is reserved: Lambda sets it itself', 'Rename the variable');
    }
    const converted = convert(ctx, value, at);
    if (converted.ok) result[name] = converted.value;
    else warn(ctx, at, `${converted.reason}; the variable is left out`);
  }
  return result;
}
