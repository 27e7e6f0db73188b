// The web viewer in a real browser: Debian's Chromium, driven by playwright-core, over the
// reference system's traces from `tracebridge demo`. It follows an end-to-end trace from
// the list, across a queue to the invocation trace and back, checks the service map, filters
// the list by an attribute, shows an exception, and checks that markup in span data stays
// text. Screenshots go to test-artifacts/.

import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/collector/server.js';
import { exportOf, otlpSpan, spanIdOf, traceIdOf } from '../src/collector/test-support/requests.js';
import { runDemo } from '../src/cli/demo.js';
import type { Terminal } from '../src/cli/output.js';
import { type LocalRuntime, startLocalRuntime } from '../src/runtime/local-runtime.js';
import {
  CHROMIUM_ARGS,
  CHROMIUM_INSTALL_TIMEOUT_MS,
  ensureChromium,
  freshProfile,
} from './support/chromium.js';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const template = join(repositoryRoot, 'examples', 'seed-architecture', 'template.yaml');
const artifacts = join(repositoryRoot, 'test-artifacts');
const docsImages = join(repositoryRoot, 'docs', 'images');
// The README's screenshots are refreshed only on request, so a test run leaves git clean.
const updateDocsImages = process.env.UPDATE_DOCS_IMAGES === '1';

const IMG_PAYLOAD = '<img src=x onerror=window.__xss=1>';
const SCRIPT_PAYLOAD = '<script>window.__xss=2</script>';
const XSS_TRACE = traceIdOf(900);
const XSS_SPAN = spanIdOf(900);
const EXCEPTION_TRACE = traceIdOf(901);
const EXCEPTION_SPAN = spanIdOf(901);
const EXCEPTION_TYPE = 'OutOfStock<Error>';
const EXCEPTION_MESSAGE = '<img src=x onerror=window.__xss=3> sku-42 is <b>gone</b>';
const EXCEPTION_STACKTRACE = `${EXCEPTION_TYPE}: ${EXCEPTION_MESSAGE}\n    at reserve (file:///var/task/sqs-consumer.js:14:11)`;
// The viewer's --error colour (#c62828), which marks an exception event.
const ERROR_COLOUR = 'rgb(198, 40, 40)';

const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const quiet: Terminal = { out: sink, err: sink, styled: false };

// Undefined until beforeAll gets that far, so afterAll closes only what was opened.
let runtime: LocalRuntime | undefined;
let context: BrowserContext | undefined;
let profile: string | undefined;
let page: Page;
let collector: RunningCollector;

beforeAll(async () => {
  const executablePath = await ensureChromium();
  const started = await startLocalRuntime({
    templatePath: template,
    collectorPort: 0,
    xrayPort: null,
    buildDir: join(repositoryRoot, '.tmp', 'viewer-browser-build'),
    functionLogs: { write: () => true },
    logger: { info: () => undefined, warn: () => undefined },
    polling: { sqsWaitTimeSeconds: 1, kinesisPollIntervalMs: 200 },
  });
  runtime = started;
  collector = started.collector;
  await runDemo(started, { messages: 2, producer: undefined, timeoutMs: 60_000 }, quiet);
  profile = freshProfile();
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    args: [...CHROMIUM_ARGS],
    headless: true,
    viewport: { width: 1200, height: 720 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(artifacts, { recursive: true });
}, CHROMIUM_INSTALL_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await context?.close();
  await runtime?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
});

async function screenshot(view: string): Promise<void> {
  const file = join(artifacts, `viewer-${view}.png`);
  await page.screenshot({ path: file });
  const docsFile = join(docsImages, `viewer-${view}.png`);
  if (updateDocsImages || !existsSync(docsFile)) {
    mkdirSync(docsImages, { recursive: true });
    copyFileSync(file, docsFile);
  }
}

/** The end-to-end trace: the producer's, holding both consumers' spans. */
function endToEndTraceId(): string {
  const trace = collector.store
    .listTraces({ limit: 1000 })
    .traces.find(
      (summary) =>
        summary.services.includes('sqs-consumer') && summary.services.includes('kinesis-consumer'),
    );
  if (!trace) throw new Error('the demo left no end-to-end trace');
  return trace.traceId;
}

/** The one trace with a span whose `order.id` is `orderId`, found without the API's filter. */
function traceOfOrder(orderId: string): string {
  const found = new Set<string>();
  for (const summary of collector.store.listTraces({ limit: 1000 }).traces) {
    const detail = collector.store.getTrace(summary.traceId);
    if (detail?.spans.some((span) => span.attributes['order.id'] === orderId) === true) {
      found.add(summary.traceId);
    }
  }
  const [traceId, ...others] = found;
  if (traceId === undefined || others.length > 0) {
    throw new Error(`expected one trace with order.id ${orderId}, found ${found.size}`);
  }
  return traceId;
}

describe('the web viewer', () => {
  it('lists the traces and opens an end-to-end one as a waterfall', async () => {
    const traceId = endToEndTraceId();
    await page.goto(`${collector.endpoint}/`);
    const row = page.locator(`#trace-list tr[data-trace-id="${traceId}"]`);
    await row.waitFor();
    const stored = collector.store.stats().tracesStored;
    expect(await page.locator('#trace-list tbody tr').count()).toBe(stored);
    await screenshot('traces');

    await row.locator('a.trace-link').click();
    await page.locator('#waterfall .row.span').first().waitFor();
    expect(page.url()).toContain(`#/trace/${traceId}`);
    const services = await page
      .locator('#waterfall .row.span')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-service')));
    expect(services).toEqual(
      expect.arrayContaining(['producer', 'sqs-consumer', 'kinesis-consumer']),
    );
    const names = await page.locator('#waterfall .span-name').allTextContents();
    expect(names).toEqual(
      expect.arrayContaining([
        'send OrdersQueue',
        'process OrdersQueue',
        'send OrdersStream',
        'process OrdersStream',
      ]),
    );
    // Both hops are drawn with the time their message waited.
    expect(await page.locator('#waterfall .wait').count()).toBe(2);
    await expect
      .poll(() => page.locator('#waterfall').textContent())
      .toContain('via queue OrdersQueue, waited');
  });

  it('follows a consumer span to its invocation trace and back', async () => {
    const traceId = endToEndTraceId();
    await page
      .locator('#waterfall .row.span', { hasText: 'process OrdersQueue' })
      .locator('.kind')
      .click();
    const panel = page.locator('#span-detail');
    await panel.locator('h2', { hasText: 'process OrdersQueue' }).waitFor();
    const consumerSpanId = await panel.getAttribute('data-span-id');
    await screenshot('trace');

    const linkTo = panel.locator('section', { hasText: 'Links to' }).locator('a').first();
    expect(await linkTo.textContent()).toBe('SqsConsumerFunction (sqs-consumer)');
    await linkTo.click();
    await page.waitForURL((url) => !url.hash.includes(traceId));
    await panel.locator('h2', { hasText: 'SqsConsumerFunction' }).waitFor();
    expect(await page.locator('#waterfall .span-name').allTextContents()).toContain(
      'SqsConsumerFunction',
    );

    const back = panel
      .locator('section', { hasText: 'Linked from' })
      .locator(`a[href="#/trace/${traceId}/span/${consumerSpanId ?? ''}"]`);
    expect(await back.textContent()).toBe('process OrdersQueue (sqs-consumer)');
    await back.click();
    await page.waitForURL((url) => url.hash === `#/trace/${traceId}/span/${consumerSpanId ?? ''}`);
    await panel.locator('h2', { hasText: 'process OrdersQueue' }).waitFor();
    expect(await page.locator('#waterfall .row.selected .span-name').textContent()).toBe(
      'process OrdersQueue',
    );
  });

  it('draws the service map: producer to queue and stream to their consumers, links dashed', async () => {
    await page.locator('nav a', { hasText: 'Service map' }).click();
    await page.locator('#service-map').waitFor();
    for (const id of [
      'service:producer',
      'destination:OrdersQueue',
      'service:sqs-consumer',
      'destination:OrdersStream',
      'service:kinesis-consumer',
    ]) {
      expect(await page.locator(`#service-map g.node[data-node-id="${id}"]`).count(), id).toBe(1);
    }
    for (const [from, to] of [
      ['service:producer', 'destination:OrdersQueue'],
      ['destination:OrdersQueue', 'service:sqs-consumer'],
      ['service:producer', 'destination:OrdersStream'],
      ['destination:OrdersStream', 'service:kinesis-consumer'],
    ] as const) {
      const edge = `g.edge-call[data-from="${from}"][data-to="${to}"]`;
      expect(await page.locator(`#service-map ${edge}`).count(), `${from} -> ${to}`).toBe(1);
      const row = page.locator(
        `#edge-table tr[data-from="${from}"][data-to="${to}"][data-kind="call"]`,
      );
      expect(await row.locator('td').nth(3).textContent()).toBe('2');
    }
    expect(await page.locator('#service-map g.edge-link').count()).toBeGreaterThan(0);
    const dash = await page
      .locator('#service-map g.edge-link path')
      .first()
      .evaluate((path) => getComputedStyle(path).strokeDasharray);
    expect(dash).not.toBe('none');
    await screenshot('map');
  });

  it('shows markup in span names and attributes as text, and runs none of it', async () => {
    // Added last, so the screenshots above show only the demo's traces.
    collector.store.add(
      exportOf('xss-service', [
        otlpSpan({
          trace: 900,
          span: 900,
          name: IMG_PAYLOAD,
          attributes: [
            { key: 'evil.img', value: { stringValue: IMG_PAYLOAD } },
            { key: 'evil.script', value: { stringValue: SCRIPT_PAYLOAD } },
          ],
        }),
      ]),
    );
    await page.goto(`${collector.endpoint}/#/`);
    await page.locator(`#trace-list tr[data-trace-id="${XSS_TRACE}"]`).waitFor();
    await page.goto(`${collector.endpoint}/#/trace/${XSS_TRACE}/span/${XSS_SPAN}`);
    const panel = page.locator('#span-detail');
    await panel.locator('h2').waitFor();

    expect(await panel.locator('h2').textContent()).toBe(IMG_PAYLOAD);
    const values = await panel.locator('td.value').allTextContents();
    expect(values).toEqual(expect.arrayContaining([IMG_PAYLOAD, SCRIPT_PAYLOAD]));
    expect(await page.locator('#app img, #app script').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
  });

  it("filters the list by an attribute value, leaving one order's trace", async () => {
    const traceId = traceOfOrder('order-0002');
    await page.goto(`${collector.endpoint}/#/`);
    const rows = page.locator('#trace-list tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(1);

    const attributeBox = page.locator('#attribute-filter');
    expect(await attributeBox.getAttribute('placeholder')).toContain('order.id=order-0002');
    await attributeBox.fill('order.id=order-0002');
    // The count line and the rows are drawn together, from the filtered answer.
    await page.locator('#trace-count', { hasText: '“order.id=order-0002”' }).waitFor();
    expect(await rows.evaluateAll((all) => all.map((row) => row.dataset.traceId))).toEqual([
      traceId,
    ]);

    await attributeBox.fill('');
    await expect.poll(() => rows.count()).toBeGreaterThan(1);
  });

  it('highlights an exception event and shows its type and message as text', async () => {
    const span = otlpSpan({ trace: 901, span: 901, name: 'reserve stock', error: true });
    const text = (key: string, value: string) => ({ key, value: { stringValue: value } });
    collector.store.add(
      exportOf('exception-service', [
        {
          ...span,
          events: [
            {
              name: 'exception',
              timeUnixNano: span.startTimeUnixNano,
              attributes: [
                text('exception.type', EXCEPTION_TYPE),
                text('exception.message', EXCEPTION_MESSAGE),
                text('exception.stacktrace', EXCEPTION_STACKTRACE),
              ],
              droppedAttributesCount: 0,
            },
          ],
        },
      ]),
    );
    await page.goto(`${collector.endpoint}/#/trace/${EXCEPTION_TRACE}/span/${EXCEPTION_SPAN}`);
    const exception = page.locator('#span-detail li.exception');
    await exception.waitFor();

    expect(await exception.locator('strong').textContent()).toBe('exception');
    expect(await exception.locator('strong').evaluate((name) => getComputedStyle(name).color)).toBe(
      ERROR_COLOUR,
    );
    const rows = await exception
      .locator('tr')
      .evaluateAll((all) =>
        all.map((row) => [
          row.querySelector('th')?.textContent,
          row.querySelector('td')?.textContent,
        ]),
      );
    expect(rows).toEqual([
      ['exception.type', EXCEPTION_TYPE],
      ['exception.message', EXCEPTION_MESSAGE],
      ['exception.stacktrace', EXCEPTION_STACKTRACE],
    ]);
    // innerText follows the rendering, so it only keeps the stack's line break if it is shown.
    const shownStack = await exception
      .locator('tr', { hasText: 'exception.stacktrace' })
      .locator('td')
      .evaluate((cell) => (cell as HTMLElement).innerText);
    expect(shownStack.split('\n')).toHaveLength(2);
    expect(await page.locator('#app img, #app b, #app script').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
  });
});
