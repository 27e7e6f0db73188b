import { expect, it } from 'vitest';

import { mergeGlobals } from './globals.js';

it('lets the function override single values and merges maps key by key', () => {
  const merged = mergeGlobals(
    { Timeout: 10, Environment: { Variables: { A: 'global', B: 'global' } } },
    { Timeout: 30, Environment: { Variables: { B: 'local', C: 'local' } } },
  );

  expect(merged).toEqual({
    Timeout: 30,
    Environment: { Variables: { A: 'global', B: 'local', C: 'local' } },
  });
});

it('concatenates lists, global entries first, as SAM does', () => {
  expect(mergeGlobals({ Layers: ['global'] }, { Layers: ['local'] })).toEqual({
    Layers: ['global', 'local'],
  });
});

it('treats an intrinsic function as one value, not as a map to merge', () => {
  const merged = mergeGlobals(
    { Environment: { Variables: { QUEUE: { Ref: 'GlobalQueue' } } } },
    { Environment: { Variables: { QUEUE: { 'Fn::GetAtt': ['LocalQueue', 'QueueUrl'] } } } },
  );

  expect(merged).toEqual({
    Environment: { Variables: { QUEUE: { 'Fn::GetAtt': ['LocalQueue', 'QueueUrl'] } } },
  });
});
