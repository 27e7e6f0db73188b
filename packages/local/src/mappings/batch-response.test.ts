import { describe, expect, it } from 'vitest';

import { readBatchResponse } from './batch-response.js';

const ids = new Set(['m1', 'm2', 'm3']);

describe('readBatchResponse', () => {
  it.each([
    ['no response', undefined],
    ['null', null],
    ['an object without batchItemFailures', { ok: true }],
    ['a null list', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('reads %s as a complete success', (_name, payload) => {
    expect(readBatchResponse(payload, ids)).toEqual({ kind: 'success' });
  });

  it('names exactly the reported records', () => {
    const outcome = readBatchResponse(
      { batchItemFailures: [{ itemIdentifier: 'm3' }, { itemIdentifier: 'm1' }] },
      ids,
    );
    expect(outcome).toEqual({ kind: 'partial', failed: new Set(['m1', 'm3']) });
  });

  it.each([
    ['a string', 'done'],
    ['a number', 42],
    ['an array', [{ itemIdentifier: 'm1' }]],
    ['a list that is not an array', { batchItemFailures: 'm1' }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a bad key name', { batchItemFailures: [{ itemId: 'm1' }] }],
    ['an entry that is not an object', { batchItemFailures: ['m1'] }],
    [
      'an unknown identifier',
      { batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'x' }] },
    ],
  ])('reads %s as a complete failure', (_name, payload) => {
    expect(readBatchResponse(payload, ids).kind).toBe('failure');
  });
});
