import { ProxyTracerProvider, trace } from "@opentelemetry/api";

/**
 * Whether spans go anywhere: true once a tracer provider is registered (telemetry.ts does so
 * when tracing is on and has an exporter).
 *
 * Without one the API hands out no-op tracers, but the gateway's span hooks would still read
 * `traceparent`, make and end spans and bind contexts on every request. The gateway leaves
 * them out instead; decided once at start-up, as telemetry.ts runs before the app is built.
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  // A fresh proxy's delegate is the API's shared no-op provider.
  const noop = new ProxyTracerProvider().getDelegate();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== noop;
}
