// Times `calls` SendMessageBatch calls of 10 entries after a warm-up; prints µs per call and
// the spans exported once the clock has stopped (`spans` flushes first).
'use strict';

async function timeSends(client, SendMessageBatchCommand, entries, calls, spans) {
  const input = { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders' };
  const send = () => client.send(new SendMessageBatchCommand({ ...input, Entries: entries() }));
  for (let index = 0; index < 200; index += 1) await send();
  const start = process.hrtime.bigint();
  for (let index = 0; index < calls; index += 1) await send();
  const elapsedNs = Number(process.hrtime.bigint() - start);
  process.stdout.write(
    `${JSON.stringify({ usPerCall: elapsedNs / 1_000 / calls, spans: await spans() })}\n`,
  );
}

module.exports = { timeSends };
