#!/usr/bin/env node
import { UsageError } from "./args.js";
import { checkConfig, usage as checkConfigUsage } from "./commands/check-config.js";
import { delivery, usage as deliveryUsage } from "./commands/delivery.js";
import { health, usage as healthUsage } from "./commands/health.js";
import { oktaPreview, usage as oktaPreviewUsage } from "./commands/okta-preview.js";
import { send, usage as sendUsage } from "./commands/send.js";

// `npx otp-gateway <command>`: the operator's tools. Exit codes: 0 done, 1 the gateway said no
// (or is not ready), 2 the command line is wrong.
const commands: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  send: { run: send, usage: sendUsage },
  delivery: { run: delivery, usage: deliveryUsage },
  "okta-preview": { run: oktaPreview, usage: oktaPreviewUsage },
  health: { run: health, usage: healthUsage },
  "check-config": { run: checkConfig, usage: checkConfigUsage },
};

const overview = `usage: otp-gateway <command> [options]   (otp-gateway <command> --help for one)\n\n${Object.values(
  commands,
)
  .map((c) => c.usage)
  .join("\n\n")}`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "help") {
    process.stdout.write(`${overview}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`otp-gateway: unknown command ${name}\n${overview}\n`);
    return 2;
  }
  if (rest.includes("--help")) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`otp-gateway ${name}: ${err.message}\nusage: ${command.usage}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
