import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  telemetryShutdownKey
} from "./chunks/chunk-XCV6LWTY.js";
import "./chunks/chunk-ALWFP5YV.js";

// src/telemetry.ts
var env = process.env;
if (env.OTEL_SDK_DISABLED !== "true") {
  const otlpConfigured = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  env.OTEL_TRACES_EXPORTER ??= otlpConfigured ? "otlp" : "none";
  env.OTEL_METRICS_EXPORTER ??= "none";
  env.OTEL_LOGS_EXPORTER ??= "none";
  env.OTEL_SERVICE_NAME ??= "otp-gateway";
  if (env.OTEL_TRACES_EXPORTER !== "none") {
    const { NodeSDK } = await import("./chunks/src-POG6YVB3.js");
    const { createBoundedSampler } = await import("./chunks/trace-sampler-TTSTYTOJ.js");
    const { serverVariables } = await import("./chunks/server-U6JD5FYJ.js");
    const perSecond = serverVariables.TRACES_PER_SECOND.safeParse(env.TRACES_PER_SECOND).data ?? 1;
    const sampler = env.OTEL_TRACES_SAMPLER?.trim() ? void 0 : createBoundedSampler(perSecond);
    const sdk = new NodeSDK({ instrumentations: [], contextManager: null, ...sampler ? { sampler } : {} });
    sdk.start();
    globalThis[telemetryShutdownKey] = () => sdk.shutdown();
  }
}
//# sourceMappingURL=telemetry.js.map
