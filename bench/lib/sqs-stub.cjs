// An SQSClient configuration whose request handler answers SendMessageBatch with a canned
// success, so that the SDK and the tracing middleware run in full and no socket is opened.
'use strict';

// Entries per SendMessageBatch call: the SQS maximum (SQS quotas).
const ENTRIES = 10;

const RESPONSE_BODY = Buffer.from(
  JSON.stringify({
    Successful: Array.from({ length: ENTRIES }, (_, index) => ({
      Id: `m${index}`,
      MessageId: `00000000-0000-4000-8000-00000000000${index}`,
      MD5OfMessageBody: '00000000000000000000000000000000',
    })),
    Failed: [],
  }),
);

const requestHandler = {
  handle: () =>
    Promise.resolve({
      response: {
        statusCode: 200,
        reason: 'OK',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': '11111111-2222-4333-8444-555555555555',
        },
        body: new Uint8Array(RESPONSE_BODY),
      },
    }),
  updateHttpClientConfig: () => {},
  httpHandlerConfigs: () => ({}),
};

function stubbedClientOptions() {
  return {
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
    // The canned response's digests match nothing; the check is the same for every variant.
    md5: false,
    requestHandler,
  };
}

function entries() {
  return Array.from({ length: ENTRIES }, (_, index) => ({
    Id: `m${index}`,
    MessageBody: JSON.stringify({ id: `order-${index}`, totalCents: 4998 }),
  }));
}

// The trace context as the producers put it on an entry, with the values' real lengths.
const TRACEPARENT = {
  traceparent: {
    DataType: 'String',
    StringValue: '00-6b05ab6f6e6c67cefaf01e5f11fa630a-957cc4fc634945cf-01',
  },
};
const AWS_TRACE_HEADER = {
  AWSTraceHeader: {
    DataType: 'String',
    StringValue: 'Root=1-6b05ab6f-6e6c67cefaf01e5f11fa630a;Parent=957cc4fc634945cf;Sampled=1',
  },
};

/**
 * Entries that already carry what a producer's tracing adds to each (no tracing runs): `w3c`, the
 * `traceparent` message attribute, which is what `instrumentation-aws-sdk` adds; `w3c+xray`, that
 * and the `AWSTraceHeader` system attribute, which is what tracebridge adds. The attribute
 * objects are made once, so that the time an untraced client takes over `entries()` is the
 * SDK's own work of sending them: the floor under any producer tracing that carries them.
 */
function entriesCarrying(carriers) {
  return () =>
    entries().map((entry) => {
      entry.MessageAttributes = TRACEPARENT;
      if (carriers === 'w3c+xray') entry.MessageSystemAttributes = AWS_TRACE_HEADER;
      return entry;
    });
}

module.exports = { ENTRIES, entries, entriesCarrying, stubbedClientOptions };
