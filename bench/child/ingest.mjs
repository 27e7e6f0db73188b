// node child/ingest.mjs <decode|http> <spans per request> <requests> [clients]
// Collector ingest. `decode`: in this process, decode each OTLP/protobuf body and add it to a
// trace store with the runtime's default limits, as the collector does for every export. `http`:
// the collector itself on 127.0.0.1, and `clients` concurrent keep-alive clients in a worker
// thread (its own core) posting the bodies. Every body has fresh ids. Prints one JSON line.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import {
  createTraceStore,
  decodeExportTraceServiceRequest,
  startCollector,
} from '../../packages/local/dist/collector/index.js';
import { consumerExport, freshCopies } from '../lib/otlp-exports.mjs';

const [mode, spansArg, requestsArg, clientsArg = '4'] = process.argv.slice(2);
const template = await consumerExport(Number(spansArg));
const requests = Number(requestsArg);
// Warm-up bodies go to the same store first, so that the measured ones meet a store in use.
const WARM_UP_REQUESTS = Math.max(4, Math.ceil(5_000 / template.spans));
const bodies = freshCopies(template, WARM_UP_REQUESTS + requests);
const warmUp = bodies.slice(0, WARM_UP_REQUESTS);
const measured = bodies.slice(WARM_UP_REQUESTS);

async function inProcess() {
  const store = createTraceStore();
  for (const body of warmUp) store.add(decodeExportTraceServiceRequest(body));
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const body of measured) store.add(decodeExportTraceServiceRequest(body));
  const elapsedMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpuBefore);
  return { elapsedMs, cpuMs: (user + system) / 1000, store: store.stats() };
}

// The clients: each takes the next body until none is left; keep-alive, as exporters connect.
const CLIENTS_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { endpoint, bodies, clients } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
function post(body) {
  return new Promise((resolve, reject) => {
    const request = http.request(endpoint + '/v1/traces', {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
    }, (response) => {
      response.resume();
      response.on('end', () => response.statusCode === 200 ? resolve() : reject(new Error('status ' + response.statusCode)));
    });
    request.on('error', reject);
    request.end(body);
  });
}
async function send(list) {
  let next = 0;
  const loop = async () => { while (next < list.length) await post(list[next++]); };
  await Promise.all(Array.from({ length: clients }, loop));
}
parentPort.once('message', async ({ phase }) => {
  await send(bodies.warmUp);
  parentPort.postMessage({ phase: 'warm' });
  parentPort.once('message', async () => {
    const started = performance.now();
    await send(bodies.measured);
    parentPort.postMessage({ phase: 'done', elapsedMs: performance.now() - started });
    agent.destroy();
  });
});
`;

async function overHttp(clients) {
  const collector = await startCollector({ port: 0, xrayPort: null });
  try {
    const worker = new Worker(CLIENTS_SOURCE, {
      eval: true,
      workerData: { endpoint: collector.endpoint, bodies: { warmUp, measured }, clients },
    });
    worker.postMessage({ phase: 'warm' });
    await once(worker, 'message');
    worker.postMessage({ phase: 'measure' });
    const [{ elapsedMs }] = await once(worker, 'message');
    await worker.terminate();
    return { elapsedMs, store: collector.store.stats() };
  } finally {
    await collector.close();
  }
}

const { elapsedMs, cpuMs, store } =
  mode === 'http' ? await overHttp(Number(clientsArg)) : await inProcess();
const spans = requests * template.spans;
const expected = (WARM_UP_REQUESTS + requests) * template.spans;
if (store.spansReceived !== expected || store.spansRejected + store.spansDuplicated > 0) {
  throw new Error(`the store counted ${JSON.stringify(store)}, expected ${expected} new spans`);
}
process.stdout.write(
  `${JSON.stringify({
    spansPerSecond: spans / (elapsedMs / 1000),
    // In-process only: the same work per second of CPU, which other load on the machine
    // changes less than it changes wall time.
    spansPerCpuSecond: cpuMs === undefined ? null : spans / (cpuMs / 1000),
    elapsedMs,
    spans,
    bodyBytes: template.body.length,
    tracesEvicted: store.tracesEvicted,
  })}\n`,
);
