import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { parseDocument } from 'yaml';
import type { CollectionTag, ScalarTag } from 'yaml';

import { TemplateError } from './errors.js';

/**
 * CloudFormation's YAML short forms and the JSON long form each stands for. Every one is
 * parsed, so that a template using one the reader does not evaluate gets a warning that
 * names it rather than a parse error.
 */
const SHORT_FORMS = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!GetAtt': 'Fn::GetAtt',
  '!Sub': 'Fn::Sub',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!Not': 'Fn::Not',
  '!FindInMap': 'Fn::FindInMap',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
  '!Transform': 'Fn::Transform',
} as const;

/** Each short form in its three shapes (`!Ref X`, `!Join [..]`, `!Transform {..}`). */
const CUSTOM_TAGS: (ScalarTag | CollectionTag)[] = Object.entries(SHORT_FORMS).flatMap(
  ([tag, longForm]): (ScalarTag | CollectionTag)[] => [
    { tag, resolve: (value: string) => ({ [longForm]: value }) },
    { tag, collection: 'seq', resolve: (value) => ({ [longForm]: value.toJSON() as unknown }) },
    { tag, collection: 'map', resolve: (value) => ({ [longForm]: value.toJSON() as unknown }) },
  ],
);

/**
 * Reads a template file, YAML (with CloudFormation's short forms, as their JSON long forms)
 * or JSON, into plain values.
 *
 * @throws {@link TemplateError} when the file cannot be read or is not valid YAML or JSON.
 *
 * @example
 * ```ts
 * const document = await loadTemplate('template.yaml');
 * ```
 */
export async function loadTemplate(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new TemplateError(unreadable(file, cause), { cause });
  }
  return text.trimStart().startsWith('{') ? parseJson(file, text) : parseYaml(file, text);
}

function unreadable(file: string, cause: unknown): string {
  const code = cause instanceof Error && 'code' in cause ? cause.code : undefined;
  if (code === 'ENOENT') {
    return `${file}: no such file. Check the path; it is relative to the current folder.`;
  }
  if (code === 'EISDIR') {
    return `${file} is a folder. Pass the template file in it, e.g. ${join(file, 'template.yaml')}.`;
  }
  return `${file}: cannot read the template (${String(code ?? cause)}). Check its permissions.`;
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new TemplateError(`${file}: invalid JSON: ${reason}. Fix the syntax there.`, { cause });
  }
}

/**
 * YAML 1.1 types CloudFormation documents as unsupported; they stay text here. Numbers keep
 * their YAML 1.1 meaning, as on AWS: an unquoted `012345670123` is an octal number there too.
 */
const TEXT_TYPES = ['timestamp', 'binary', 'omap', 'pairs', 'set', 'merge'];

/** The parser names its built-in types either by name or by tag object. */
function keepType(type: string | ScalarTag | CollectionTag): boolean {
  const name = typeof type === 'string' ? type : type.tag.replace('tag:yaml.org,2002:', '');
  return !TEXT_TYPES.includes(name);
}

const FLOAT_TAG = 'tag:yaml.org,2002:float';

/**
 * The parser's YAML 1.1 float patterns also match `.` and `e5`, which have no digit before the
 * exponent, and read them as NaN. PyYAML (SAM CLI) and SnakeYAML want that digit and read them
 * as text, so that `CodeUri: .` names the template's folder; the float types here want it too.
 */
function withMantissaDigit(type: ScalarTag | CollectionTag): ScalarTag | CollectionTag {
  if (type.tag !== FLOAT_TAG || !('test' in type)) return type;
  const { test } = type;
  if (test === undefined || !(test.test('.') || test.test('e5'))) return type;
  return { ...type, test: new RegExp(`^(?=[-+]?[._]*[0-9])${test.source.slice(1)}`) };
}

function parseYaml(file: string, text: string): unknown {
  // CloudFormation reads YAML 1.1 (its documentation says so), where `yes` is a boolean.
  const document = parseDocument(text, {
    version: '1.1',
    customTags: (types) => [
      ...types
        .filter(keepType)
        .map((type) => (typeof type === 'string' ? type : withMantissaDigit(type))),
      ...CUSTOM_TAGS,
    ],
  });
  // The parser only warns about an unknown tag and reads it as a plain value, which would
  // turn a misspelt `!GetAttr` into a string silently.
  const [problem] = [...document.errors, ...document.warnings];
  if (problem !== undefined) {
    const hint =
      problem.code === 'TAG_RESOLVE_FAILED'
        ? `Use one of CloudFormation's short forms: ${Object.keys(SHORT_FORMS).join(', ')}`
        : 'Fix the syntax there';
    throw new TemplateError(`${file}: invalid YAML: ${problem.message.trim()}\n${hint}.`, {
      cause: problem,
    });
  }
  return document.toJS();
}
