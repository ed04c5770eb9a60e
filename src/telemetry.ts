// Loaded before the app with `node --import ./dist/src/telemetry.js`: it registers the tracer
// provider, the OTLP exporter and the sampler before any of the gateway's modules run, so every
// span the gateway makes goes to one place.
//
// No instrumentation package is loaded. The gateway makes its own spans where it knows what
// matters: the HTTP server span (observability/http-tracing.ts), the RPC spans
// (observability/rpc-tracing.ts) and the 8x8 call (carrier/http-pool.ts). The generic
// instrumentations for node:http and undici cost more than all of tracing's other work
// together (bench/README.md). Nor is a context manager registered: the trace is passed along
// explicitly (observability/trace-context.ts), as Node 20's AsyncLocalStorage taxes every
// promise of every request, sampled or not.
import { telemetryShutdownKey } from "./observability/telemetry-shutdown.js";

const env = process.env;

if (env.OTEL_SDK_DISABLED !== "true") {
  // Export only where an operator pointed us: with no exporter and no OTLP endpoint configured,
  // the SDK would post to localhost:4318 and log failures forever.
  const otlpConfigured = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  env.OTEL_TRACES_EXPORTER ??= otlpConfigured ? "otlp" : "none";
  env.OTEL_METRICS_EXPORTER ??= "none";
  env.OTEL_LOGS_EXPORTER ??= "none";
  env.OTEL_SERVICE_NAME ??= "otp-gateway";

  // Imported only when spans go somewhere: the SDK and its exporters are a large share of the
  // process's memory, and importing them a sixth of its start-up time.
  if (env.OTEL_TRACES_EXPORTER !== "none") {
    // The package is CommonJS: its module.exports is the default export, both in Node and in
    // the bundle (which gives a dynamically imported CommonJS module no named exports).
    const { NodeSDK } = (await import("@opentelemetry/sdk-node")).default;
    const { createBoundedSampler } = await import("./observability/trace-sampler.js");
    const { serverVariables } = await import("./config/server.js");
    // A bad value cannot start the gateway (the config check refuses it); until then, 1.
    const perSecond = serverVariables.TRACES_PER_SECOND.safeParse(env.TRACES_PER_SECOND).data ?? 1;
    // The standard variable wins; without it, every trace up to TRACES_PER_SECOND.
    const sampler = env.OTEL_TRACES_SAMPLER?.trim() ? undefined : createBoundedSampler(perSecond);
    // `null` is the SDK's "register none" (its types only know a manager or the default).
    const sdk = new NodeSDK({ instrumentations: [], contextManager: null as never, ...(sampler ? { sampler } : {}) });
    sdk.start();
    (globalThis as Record<symbol, unknown>)[telemetryShutdownKey] = () => sdk.shutdown();
  }
}
