// Times SendMessageBatch calls of 10 entries after a warm-up; prints µs per call, and the spans
// exported by all the calls (warm-up included) once the clock has stopped (`spans` flushes first). The measured calls run in chunks,
// and a process's figure is its median chunk: a garbage collection or a late JIT tier lands in
// one chunk instead of moving the whole figure, which is what made a difference of two ~0.5 ms
// figures (tracing adds about 10% to a call) swing by half between processes.
'use strict';

const WARM_UP_CALLS = 1_000;
const CALLS_PER_CHUNK = 100;

async function timeSends(client, SendMessageBatchCommand, entries, calls, spans) {
  const input = { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders' };
  const send = () => client.send(new SendMessageBatchCommand({ ...input, Entries: entries() }));
  for (let index = 0; index < WARM_UP_CALLS; index += 1) await send();
  const chunkUs = [];
  for (let done = 0; done < calls; done += CALLS_PER_CHUNK) {
    const start = process.hrtime.bigint();
    for (let index = 0; index < CALLS_PER_CHUNK; index += 1) await send();
    chunkUs.push(Number(process.hrtime.bigint() - start) / 1_000 / CALLS_PER_CHUNK);
  }
  chunkUs.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      usPerCall: chunkUs[Math.floor(chunkUs.length / 2)],
      spans: await spans(),
      calls: WARM_UP_CALLS + calls,
    })}\n`,
  );
}

module.exports = { timeSends, WARM_UP_CALLS, CALLS_PER_CHUNK };
