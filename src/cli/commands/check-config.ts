import { ConfigError, loadConfig } from "../../config/index.js";
import { secretVariables } from "../../config/problems.js";
import { output, readArgs } from "../args.js";

export const usage = `otp-gateway check-config [--json]
  Reads the environment as the gateway does at start and prints what it would run with,
  secrets shown only as set or unset; exits 1 listing every problem when it would not start.`;

/** `check-config`: start-up's configuration check, without starting. */
export async function checkConfig(argv: string[]): Promise<number> {
  const { values } = readArgs(argv, {});
  try {
    const config = loadConfig(process.env);
    const shown = JSON.parse(
      JSON.stringify(config, (_key, value) =>
        value instanceof Map ? [...value.keys()] : value instanceof Set ? [...value] : value,
      ),
    );
    shown.okta.authSecret = config.okta.authSecret ? "set" : "unset";
    if (shown.carrier?.apiKey) shown.carrier.apiKey = "set";
    if (shown.otpService?.apiKey) shown.otpService.apiKey = "set";
    if (shown.store?.url) shown.store.url = "set";
    if (shown.metricsToken) shown.metricsToken = "set";
    const secrets = Object.fromEntries([...secretVariables].map((name) => [name, process.env[name] ? "set" : "unset"]));
    output(values.json === true, { ok: true, config: shown, secrets, warnings: config.warnings }, [
      `configuration is valid: role ${config.role}, carrier ${config.carrier.mode}, ports ${config.httpPort}/${config.grpcPort}`,
      ...Object.entries(secrets).map(([name, state]) => `  ${name}: ${state}`),
      ...config.warnings.map((w) => `  warning: ${w}`),
    ]);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    output(values.json === true, { ok: false, problems: err.problems }, [err.message]);
    return 1;
  }
}
