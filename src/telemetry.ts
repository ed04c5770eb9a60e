// Loaded before the app with `node --import ./dist/src/telemetry.js`: OpenTelemetry must patch
// node:http before any of the gateway's modules load. No ESM loader hook is registered: the
// modules that matter are reached without one (Fastify requires node:http as CommonJS, undici
// reports through diagnostics_channel, and the RPC interceptors carry the trace themselves),
// and hooking every ESM import cost most of a second at start-up.
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { telemetryShutdownKey } from "./observability/telemetry-shutdown.js";

const env = process.env;
const quietPaths = new Set(["/healthz", "/readyz"]);

if (env.OTEL_SDK_DISABLED !== "true") {
  // Export only where an operator pointed us: with no exporter and no OTLP endpoint configured,
  // the SDK would post to localhost:4318 and log failures forever.
  const otlpConfigured = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  env.OTEL_TRACES_EXPORTER ??= otlpConfigured ? "otlp" : "none";
  env.OTEL_METRICS_EXPORTER ??= "none";
  env.OTEL_LOGS_EXPORTER ??= "none";
  env.OTEL_SERVICE_NAME ??= "otp-gateway";

  const sdk = new NodeSDK({
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => quietPaths.has((req.url ?? "").split("?")[0] ?? ""),
      }),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  (globalThis as Record<symbol, unknown>)[telemetryShutdownKey] = () => sdk.shutdown();
}
