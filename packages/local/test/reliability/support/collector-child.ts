// The collector in a process of its own, for tests that measure its memory or must survive its
// crash: started by collector-process.ts with --expose-gc, it takes its options as one JSON
// argument and answers over the IPC channel. A crash ends this process, not the test's.

import type { CollectorOptions, CollectorStats } from '../../../src/collector/server.js';
import { startCollector } from '../../../src/collector/server.js';
import { createTraceStore, type TraceStoreOptions } from '../../../src/collector/store.js';

/** What the parent asks for. */
export type ChildRequest = { readonly type: 'memory' } | { readonly type: 'stats' };

/** What the child sends: once `ready`, then one answer per request, in order. */
export type ChildMessage =
  | {
      readonly type: 'ready';
      readonly endpoint: string;
      readonly port: number;
      readonly xrayAddress: string | undefined;
    }
  | { readonly type: 'memory'; readonly usage: NodeJS.MemoryUsage; readonly stats: CollectorStats }
  | { readonly type: 'stats'; readonly stats: CollectorStats };

/** The JSON argument: the collector's options, and the store's. */
export type ChildOptions = Omit<CollectorOptions, 'store'> & { readonly store?: TraceStoreOptions };

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !process.send) throw new Error('run with --expose-gc, as a forked child');
const send = process.send.bind(process);

const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
const collector = await startCollector({ ...options, store: createTraceStore(options.store) });

process.on('message', (request: ChildRequest) => {
  if (request.type === 'memory') {
    // Twice: the first pass can leave objects that only a second one frees (weak references).
    gc();
    gc();
    send({ type: 'memory', usage: process.memoryUsage(), stats: collector.stats() });
  } else {
    send({ type: 'stats', stats: collector.stats() });
  }
});
process.on('disconnect', () => {
  void collector.close().then(() => process.exit(0));
});
send({
  type: 'ready',
  endpoint: collector.endpoint,
  port: collector.port,
  xrayAddress: collector.xrayAddress,
});
