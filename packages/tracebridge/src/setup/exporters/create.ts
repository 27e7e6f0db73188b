import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { ExporterPlan } from '../config/resolve.js';
import { TracingConfigError } from '../errors.js';
import { ConsoleExporter } from './console.js';
import { OtlpHttpExporter } from './otlp/http-exporter.js';
import { XRayDaemonExporter } from './xray-daemon.js';

/**
 * Builds the exporter a plan describes. Each exporter loads the Node modules it needs
 * (http, https, zlib, dgram) in its constructor, so a configuration never loads the modules
 * of exporters it does not use.
 *
 * @throws {TracingConfigError} on a Node.js release without `process.getBuiltinModule`.
 * @example
 * const exporters = resolveConfig({}, process.env).exporters.map(createExporter);
 */
export function createExporter(plan: ExporterPlan): SpanExporter {
  switch (plan.kind) {
    case 'instance':
      return plan.exporter;
    case 'console':
      return new ConsoleExporter();
    case 'otlp':
      requireBuiltinLoader(plan.kind);
      return new OtlpHttpExporter(plan.config);
    case 'xray':
      requireBuiltinLoader(plan.kind);
      return new XRayDaemonExporter(plan.host, plan.port);
  }
}

function requireBuiltinLoader(exporter: string): void {
  // Typed as always there by @types/node 20.19, but only added in Node.js 20.16.
  if (typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === 'function') return;
  throw new TracingConfigError(
    'exporters',
    `tracebridge's ${exporter} exporter needs Node.js 20.16 or later (this is ${process.version}): use the nodejs20.x Lambda runtime or a later one.`,
  );
}
