import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configVariables, loadConfig } from "../src/config/index.js";

const reference = readFileSync(new URL("../docs/configuration.md", import.meta.url), "utf8");
const envExample = readFileSync(new URL("../.env.example", import.meta.url), "utf8");

describe("documentation stays true to the config module", () => {
  it.each(configVariables)("%s is in docs/configuration.md's table and in .env.example", (name) => {
    expect(reference).toMatch(new RegExp(`^\\| \`${name}\` \\|`, "m"));
    expect(envExample).toMatch(new RegExp(`^${name}=`, "m"));
  });

  it(".env.example names no variable the gateway does not read, and loads as it stands", () => {
    const names = [...envExample.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)];
    for (const [, name] of names) {
      if (!name!.startsWith("OTEL_")) expect(configVariables).toContain(name);
    }
    const env = Object.fromEntries(names.map(([, n, v]) => [n!, v!]));
    expect(loadConfig(env).carrier.mode).toBe("sandbox");
  });
});
