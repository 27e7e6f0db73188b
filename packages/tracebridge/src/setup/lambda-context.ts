import { currentRegistration } from './registry.js';

/**
 * Hands the set-up the context of an invocation, so the resource gains the attributes only
 * the context knows: `cloud.resource_id` (the function ARN) and `cloud.account.id`. The
 * consumer wrappers call it on every invocation; only the first call counts, since an
 * execution environment runs one version of one function. Does nothing when `initTracing`
 * did not set up the provider.
 *
 * @example
 * ```ts
 * import { recordLambdaContext } from 'tracebridge/setup';
 *
 * export const handler = async (event: unknown, context: { invokedFunctionArn: string }) => {
 *   recordLambdaContext(context);
 *   // …
 * };
 * ```
 */
export function recordLambdaContext(context: { readonly invokedFunctionArn: string }): void {
  currentRegistration()?.recordFunctionArn(context.invokedFunctionArn);
}
