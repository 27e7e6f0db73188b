import type { Context as LambdaContext } from 'aws-lambda';

let invocationCount = 0;

/** A Lambda context as the runtime passes it, with a deadline `remainingMs` from now. */
export function lambdaContext(
  remainingMs = 30_000,
  functionName = 'orders-consumer',
): LambdaContext {
  const deadline = Date.now() + remainingMs;
  invocationCount++;
  // The deprecated done/fail/succeed methods are left out: nothing may call them any more.
  const context: Omit<LambdaContext, 'done' | 'fail' | 'succeed'> = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-2:123456789012:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: `c6af9ac6-7b61-11e6-9a41-93e8120${String(invocationCount).padStart(5, '0')}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/24/[$LATEST]abcdef0123456789',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  return context as LambdaContext;
}
