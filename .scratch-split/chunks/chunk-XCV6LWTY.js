import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/observability/telemetry-shutdown.ts
var telemetryShutdownKey = /* @__PURE__ */ Symbol.for("otp-gateway.telemetry.shutdown");
async function shutdownTelemetry() {
  const shutdown = globalThis[telemetryShutdownKey];
  if (typeof shutdown === "function") await shutdown();
}

export {
  telemetryShutdownKey,
  shutdownTelemetry
};
//# sourceMappingURL=chunk-XCV6LWTY.js.map
