// Lambda freezes a function's process as soon as it returns. Through the local runtime, a
// function that leaves spans to its BatchSpanProcessor's timer loses them for as long as it is
// frozen; one wrapped in tracedHandler has exported everything before it returns.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../src/runtime/local-runtime.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Far longer than the functions' 100 ms batch delay: a running process would have exported. */
const FROZEN_FOR_MS = 800;

const SERVICE_FROM_RUNTIME = 'freeze-suite';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    templatePath: join(here, 'fixtures', 'freeze', 'template.yaml'),
    collectorPort: 0,
    xrayPort: null,
    buildDir: join(here, '..', '..', '..', '.tmp', 'freeze-build'),
    functionLogs: { write: () => true },
    logger: { info: () => undefined, warn: () => undefined },
    // Over the template's own OTEL_SERVICE_NAME: the runtime's option comes last.
    functionEnvironment: { OTEL_SERVICE_NAME: SERVICE_FROM_RUNTIME },
  });
}, 60_000);

afterAll(async () => {
  await runtime.close();
});

const spanNamed = (name: string) =>
  runtime.collector.store.listTraces({ name, limit: 10 }).matched > 0;

describe('the frozen process after return', () => {
  it('loses the spans of a function that does not flush while it is frozen', async () => {
    const result = await runtime.functions.invoke('UnflushedFunction', { label: 'first' });
    expect(result.status).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, FROZEN_FOR_MS));
    expect(spanNamed('unflushed work first')).toBe(false);
  });

  it('loses none with tracedHandler: every span has arrived when the invocation returns', async () => {
    const result = await runtime.functions.invoke('FlushedFunction', { label: 'first' });
    expect(result.status).toBe('ok');
    expect(spanNamed('flushed work first')).toBe(true);
  });

  it("gives every function the runtime's functionEnvironment, over the template's", () => {
    const found = runtime.collector.store.listTraces({
      name: 'flushed work first',
      service: SERVICE_FROM_RUNTIME,
      limit: 1,
    });
    expect(found.matched).toBe(1);
  });

  it('lets the stranded spans out only while a later invocation keeps the process running', async () => {
    await runtime.functions.invoke('UnflushedFunction', { label: 'second', workMs: FROZEN_FOR_MS });
    await runtime.collector.store.waitFor(() => spanNamed('unflushed work first'));
    expect(spanNamed('unflushed work first')).toBe(true);
  });
});
