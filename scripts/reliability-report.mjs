// node scripts/reliability-report.mjs: fills the figures block of RELIABILITY.md from what the
// reliability suites recorded in test-artifacts/reliability/*.json (npm run test:reliability
// runs it after the suites).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const figuresDir = join(root, 'test-artifacts', 'reliability');
const reportPath = join(root, 'RELIABILITY.md');
const START = '<!-- figures:start -->';
const END = '<!-- figures:end -->';

function isNested(value) {
  if (value === null || typeof value !== 'object') return false;
  // A list of plain values stays one row; a list of records (one per run) is spread out.
  return !Array.isArray(value) || value.some((item) => item !== null && typeof item === 'object');
}

function flatten(value, prefix, rows) {
  if (isNested(value)) {
    for (const [key, inner] of Object.entries(value)) {
      flatten(inner, prefix === '' ? key : `${prefix}.${key}`, rows);
    }
  } else {
    rows.push([prefix, value]);
  }
  return rows;
}

function cell(value) {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? value.toLocaleString('en-GB') : value.toFixed(2);
  }
  if (Array.isArray(value)) return value.map(cell).join(', ');
  return String(value).replaceAll('|', '\\|');
}

function suiteSection(record) {
  const rows = flatten(record.figures, '', []);
  return [
    `### ${record.suite}`,
    '',
    `Profile \`${record.profile}\`, Node ${record.node}, recorded ${record.recordedAt}.`,
    '',
    '| figure | value |',
    '| --- | --- |',
    ...rows.map(([key, value]) => `| ${key} | ${cell(value)} |`),
    '',
  ].join('\n');
}

const records = readdirSync(figuresDir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => JSON.parse(readFileSync(join(figuresDir, name), 'utf8')));
if (records.length === 0) {
  process.stderr.write(`no figures in ${figuresDir}: run the reliability suites first\n`);
  process.exit(1);
}

const report = readFileSync(reportPath, 'utf8');
const start = report.indexOf(START);
const end = report.indexOf(END);
if (start === -1 || end < start) {
  process.stderr.write(`RELIABILITY.md has no ${START} … ${END} block\n`);
  process.exit(1);
}
const block = `${START}\n\n${records.map(suiteSection).join('\n')}\n${END}`;
writeFileSync(reportPath, report.slice(0, start) + block + report.slice(end + END.length));
process.stderr.write(`wrote the figures of ${records.length} suites to RELIABILITY.md\n`);
