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

module.exports = { ENTRIES, entries, stubbedClientOptions };
