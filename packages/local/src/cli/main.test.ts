import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCollector, startCollector } from '../collector/server.js';
import type { FunctionInvoker } from '../model.js';
import { type ControlServer, startControlServer } from '../runtime/control.js';
import { main } from './main.js';
import type { Terminal } from './output.js';

function capture(): Terminal & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: { write: (text: string) => ((out += text), true) } as unknown as NodeJS.WritableStream,
    err: { write: (text: string) => ((err += text), true) } as unknown as NodeJS.WritableStream,
    styled: false,
    stdout: () => out,
    stderr: () => err,
  };
}

describe('tracebridge command line', () => {
  it.each(['demo', 'local', 'invoke', 'traces'])('explains %s with --help', async (command) => {
    const terminal = capture();
    await expect(main([command, '--help'], terminal)).resolves.toBe(0);
    expect(terminal.stdout()).toContain(`Usage: tracebridge ${command}`);
  });

  it('lists the commands with --help and without arguments', async () => {
    const terminal = capture();
    await expect(main(['--help'], terminal)).resolves.toBe(0);
    expect(terminal.stdout()).toContain('Commands:');
    await expect(main([], capture())).resolves.toBe(2);
  });

  it('answers a wrong command line with exit code 2 and what to type instead', async () => {
    const unknownCommand = capture();
    await expect(main(['deploy'], unknownCommand)).resolves.toBe(2);
    expect(unknownCommand.stderr()).toContain('unknown command "deploy"');
    const badOption = capture();
    await expect(main(['demo', '--messages', 'many'], badOption)).resolves.toBe(2);
    expect(badOption.stderr()).toContain('--messages takes a whole number');
    const unknownOption = capture();
    await expect(main(['traces', '--colour'], unknownOption)).resolves.toBe(2);
    expect(unknownOption.stderr()).toContain('tracebridge traces --help');
  });
});

describe('invoke and traces against a running runtime', () => {
  let control: ControlServer;
  let collector: RunningCollector;
  const invoked: unknown[] = [];
  const invoker: FunctionInvoker = {
    invoke: (name, event) => {
      invoked.push({ name, event });
      return Promise.resolve(
        name === 'Broken'
          ? { status: 'error', errorType: 'Error', errorMessage: 'it broke', durationMs: 1 }
          : { status: 'ok', payload: { orderId: 'o-1' }, durationMs: 1 },
      );
    },
  };

  beforeAll(async () => {
    control = await startControlServer(invoker, 0);
    collector = await startCollector({ port: 0, xrayPort: null });
    collector.store.add({
      resourceSpans: [
        {
          resource: {
            attributes: [{ key: 'service.name', value: { stringValue: 'producer' } }],
            droppedAttributesCount: 0,
          },
          schemaUrl: '',
          scopeSpans: [
            {
              scope: { name: 'test', version: '', attributes: [], droppedAttributesCount: 0 },
              schemaUrl: '',
              spans: [
                {
                  traceId: '5759e988bd862e3fe1be46a994272793',
                  spanId: '53995c3f42cd8ad8',
                  parentSpanId: '',
                  traceState: '',
                  flags: 1,
                  name: 'place order',
                  kind: 1,
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000000012000000',
                  attributes: [],
                  droppedAttributesCount: 0,
                  events: [],
                  droppedEventsCount: 0,
                  links: [],
                  droppedLinksCount: 0,
                  status: { code: 0, message: '' },
                },
              ],
            },
          ],
        },
      ],
    });
  });
  afterAll(async () => {
    await control.close();
    await collector.close();
  });

  const controlPort = () => new URL(control.endpoint).port;

  it('invokes a function with the payload and prints its result', async () => {
    const terminal = capture();
    const code = await main(
      [
        'invoke',
        'ProducerFunction',
        '--payload',
        '{"customer":"c-9"}',
        '--control-port',
        controlPort(),
      ],
      terminal,
    );
    expect(code).toBe(0);
    expect(invoked).toContainEqual({ name: 'ProducerFunction', event: { customer: 'c-9' } });
    expect(JSON.parse(terminal.stdout())).toEqual({ orderId: 'o-1' });
  });

  it('reports a failed invocation with exit code 1', async () => {
    const terminal = capture();
    await expect(
      main(['invoke', 'Broken', '--control-port', controlPort()], terminal),
    ).resolves.toBe(1);
    expect(terminal.stdout()).toContain('error: it broke');
  });

  it('says how to start a runtime when none answers', async () => {
    const terminal = capture();
    await expect(
      main(['invoke', 'ProducerFunction', '--control-port', '1'], terminal),
    ).resolves.toBe(2);
    expect(terminal.stderr()).toContain('start one with `tracebridge local`');
  });

  it('prints the collector traces as trees, and as JSON', async () => {
    const port = String(collector.port);
    const trees = capture();
    await expect(main(['traces', '--port', port], trees)).resolves.toBe(0);
    expect(trees.stdout()).toContain('trace 5759e988bd862e3fe1be46a994272793');
    expect(trees.stdout()).toContain('producer  place order internal 12 ms');
    const json = capture();
    await expect(main(['traces', '--port', port, '--json'], json)).resolves.toBe(0);
    expect((JSON.parse(json.stdout()) as { traces: unknown[] }).traces).toHaveLength(1);
  });
});
