import { type Config, ConfigError, loadConfig } from "./config/index.js";
import { createLogger } from "./observability/logger.js";
import { shutdownTelemetry } from "./observability/telemetry-shutdown.js";
import { startGateway } from "./server.js";

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`otp-gateway: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

const logger = createLogger(config.logLevel, config.okta.authHeader);

if (config.carrier.mode === "sandbox" && config.role !== "facade") {
  logger.warn(
    "SANDBOX CARRIER: no 8x8 credentials are set, so NO SMS OR CALL WILL BE DELIVERED. Accepted sends are listed at GET /sandbox/messages.",
  );
}
for (const warning of config.warnings) logger.warn(`configuration: ${warning} (refused when NODE_ENV=production)`);
if (config.okta.authSecretGenerated) {
  // Shown once, on the terminal only, so a developer can call the hook; never in live mode.
  process.stdout.write(
    `\n  Sandbox Okta hook secret (send it in the "${config.okta.authHeader}" header):\n\n    ${config.okta.authSecret}\n\n`,
  );
}
if (config.verify.hashKeyGenerated) {
  // Like the hook secret: shown once, on the terminal, for this run's verifications only.
  process.stdout.write(`  Sandbox VERIFY_HASH_KEY (codes of this run only):\n\n    ${config.verify.hashKey}\n\n`);
}
if (config.carrier.mode === "8x8" && !config.carrier.voice) {
  logger.warn("EIGHTBYEIGHT_VOICE_SOURCE is not set: voice OTPs will be answered FAILED so Okta falls back");
}

const gateway = await startGateway({ config, logger }).catch((err: unknown) => {
  logger.fatal({ err }, "gateway failed to start");
  process.exit(1);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    gateway
      .close()
      .then(() => shutdownTelemetry())
      .then(() => {
        logger.info("shutdown complete");
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      });
  });
}
