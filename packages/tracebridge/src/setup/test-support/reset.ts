import { context, diag, propagation, trace } from '@opentelemetry/api';
import { unregister } from '../registry.js';

/** Undoes every global registration initTracing makes, so each test starts afresh. */
export function resetTracing(): void {
  unregister();
  trace.disable();
  context.disable();
  propagation.disable();
  diag.disable();
}
