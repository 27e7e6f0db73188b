import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../model.js';
import { isList, templateError, warn } from './context.js';
import { isRecord } from '../json.js';
import type { ReadContext } from './context.js';

const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';

// Sections with nothing to run: descriptions, outputs, mappings (only read through
// Fn::FindInMap, which gets its own warning) and rules (checked at deployment).
const INERT_SECTIONS = [
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Outputs',
  'Mappings',
  'Rules',
];
const READ_SECTIONS = ['Resources', 'Parameters', 'Conditions', 'Transform', 'Globals'];

/** The top-level sections of a template, other than `Resources`. */
export interface Sections {
  /** Whether the SAM transform applies. */
  readonly sam: boolean;
  /** `Globals.Function`, merged into every `AWS::Serverless::Function`. */
  readonly functionGlobals: Readonly<Record<string, unknown>>;
}

/**
 * Reads the sections around `Resources`: `Transform`, `Globals`, `Conditions` (warned
 * about), unknown sections (warned about), and `Parameters` and the pseudo parameters into
 * `parameters`.
 *
 * @example
 * ```ts
 * const { sam, functionGlobals } = readSections(ctx, document, parameters, 'my-stack');
 * ```
 */
export function readSections(
  ctx: ReadContext,
  document: Readonly<Record<string, unknown>>,
  parameters: Map<string, string>,
  stackName: string,
): Sections {
  for (const key of Object.keys(document)) {
    if (!INERT_SECTIONS.includes(key) && !READ_SECTIONS.includes(key)) {
      warn(ctx, key, 'not a CloudFormation template section; it is ignored');
    }
  }
  if (isRecord(document.Conditions) && Object.keys(document.Conditions).length > 0) {
    warn(
      ctx,
      'Conditions',
      'not supported locally; every resource is created and Fn::If is not evaluated',
    );
  }
  readParameters(ctx, document.Parameters, parameters);
  // Pseudo parameters, as the emulators see the account they run.
  parameters.set('AWS::Region', LOCAL_REGION);
  parameters.set('AWS::AccountId', LOCAL_ACCOUNT_ID);
  parameters.set('AWS::StackName', stackName);
  parameters.set('AWS::Partition', 'aws');
  parameters.set('AWS::URLSuffix', 'amazonaws.com');

  const sam = readTransforms(ctx, document.Transform);
  const globals = document.Globals;
  if (globals === undefined) return { sam, functionGlobals: {} };
  if (!sam) {
    throw templateError(
      ctx,
      'Globals',
      `needs Transform: ${SAM_TRANSFORM}`,
      'Add that Transform at the top of the template',
    );
  }
  if (!isRecord(globals)) {
    throw templateError(ctx, 'Globals', 'is not a map', 'Write Function: under it');
  }
  for (const key of Object.keys(globals)) {
    if (key !== 'Function') warn(ctx, `Globals.${key}`, 'not supported locally; it is ignored');
  }
  const functionGlobals = globals.Function ?? {};
  if (!isRecord(functionGlobals)) {
    throw templateError(
      ctx,
      'Globals.Function',
      'is not a map',
      'Write function properties under it',
    );
  }
  return { sam, functionGlobals };
}

function readTransforms(ctx: ReadContext, raw: unknown): boolean {
  let sam = false;
  for (const transform of raw === undefined ? [] : [raw].flat()) {
    const name = isRecord(transform) ? transform.Name : transform;
    if (name === SAM_TRANSFORM) sam = true;
    else warn(ctx, 'Transform', `${String(name)} is not applied locally; it is ignored`);
  }
  return sam;
}

function readParameters(ctx: ReadContext, raw: unknown, parameters: Map<string, string>): void {
  if (raw === undefined) return;
  if (!isRecord(raw)) {
    throw templateError(ctx, 'Parameters', 'is not a map', 'Write one parameter per key');
  }
  for (const [name, definition] of Object.entries(raw)) {
    const where = `Parameters.${name}`;
    if (!isRecord(definition)) {
      throw templateError(ctx, where, 'is not a map', 'Give it a Type and a Default');
    }
    if (definition.Default === undefined || definition.Default === null) {
      warn(ctx, where, `no Default; locally !Ref ${name} gives an empty string`);
      parameters.set(name, '');
      continue;
    }
    const text = parameterText(definition.Default);
    if (text === undefined) {
      throw templateError(ctx, `${where}.Default`, 'is not a value', 'Write it as text');
    }
    const type = typeof definition.Type === 'string' ? definition.Type : 'String';
    if (type.startsWith('AWS::SSM::Parameter::Value')) {
      warn(
        ctx,
        where,
        `${type} is read from SSM Parameter Store on AWS; locally !Ref ${name} gives its Default, the name of the SSM parameter`,
      );
    }
    parameters.set(name, text);
  }
}

// A list Default (CommaDelimitedList) is the comma-separated text CloudFormation expects.
function parameterText(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (!isList(value)) return undefined;
  const items = value.map(parameterText);
  return items.every((item) => item !== undefined) ? items.join(',') : undefined;
}
