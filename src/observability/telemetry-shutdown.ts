/** Where telemetry.ts leaves its flush-and-stop function, so main works with or without it. */
export const telemetryShutdownKey = Symbol.for("otp-gateway.telemetry.shutdown");

/** Flushes buffered spans; a no-op when the process was started without telemetry. */
export async function shutdownTelemetry(): Promise<void> {
  const shutdown = (globalThis as Record<symbol, unknown>)[telemetryShutdownKey];
  if (typeof shutdown === "function") await (shutdown as () => Promise<void>)();
}
