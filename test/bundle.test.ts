import { readdirSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { describe, expect, it } from "vitest";
import { startEntry, startTelemetry } from "./support/process.js";

// The bundle `npm start` runs (scripts/bundle.mjs), as the build left it in dist/bundle/.
const dir = new URL("../dist/bundle/", import.meta.url);
const files = readdirSync(dir, { recursive: true, encoding: "utf8" });
const maps = files.filter((f) => f.endsWith(".js.map"));

describe("the bundle npm start runs", () => {
  it("is what the start command names, main and telemetry", () => {
    expect(startEntry).toBe("dist/bundle/main.js");
    expect(startTelemetry).toBe("./dist/bundle/telemetry.js");
    expect(files).toEqual(expect.arrayContaining(["main.js", "telemetry.js", "main.js.map"]));
  });

  it("maps only the gateway's own sources, so a stack trace does not load the packages' map", () => {
    expect(maps.length).toBeGreaterThan(2);
    let mapped = 0;
    for (const file of maps) {
      const map = JSON.parse(readFileSync(new URL(file, dir), "utf8")) as { sources: string[] };
      for (const source of map.sources) expect(source).toMatch(/^(\.\.\/)+(src|gen)\//);
      mapped += map.sources.length;
    }
    expect(mapped).toBeGreaterThan(100);
  });

  const lines = readFileSync(new URL("main.js", dir), "utf8").split("\n");
  const map = new SourceMap(JSON.parse(readFileSync(new URL("main.js.map", dir), "utf8")));
  /** What the map says of the place where `code` starts in the bundle. */
  const entryAt = (code: string) => {
    const line = lines.findIndex((l) => l.includes(code));
    expect(line).toBeGreaterThanOrEqual(0);
    return map.findEntry(line, lines[line]!.indexOf(code) + "function ".length) as {
      originalSource?: string;
      originalLine: number;
    };
  };

  it("maps a place in the bundle back to its TypeScript file and line", () => {
    const entry = entryAt("function createInProcessTransport(");
    expect(entry.originalSource).toMatch(/src\/otp\/client\/in-process-transport\.ts$/);
    const source = readFileSync(new URL("../src/otp/client/in-process-transport.ts", import.meta.url), "utf8");
    expect(source.split("\n")[entry.originalLine]).toContain("createInProcessTransport");
  });

  it("maps a package's code to no source, not to the nearest line of ours before it", () => {
    expect(entryAt("function fastify(").originalSource).toBeUndefined();
    // A long line of the minified bundle: our modules' code before it, OTel's constant here.
    expect(entryAt('ATTR_RPC_SYSTEM_NAME="rpc.system.name"').originalSource).toBeUndefined();
  });
});
