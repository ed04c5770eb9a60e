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

  it("maps a place in the bundle back to its TypeScript file and line", () => {
    const lines = readFileSync(new URL("main.js", dir), "utf8").split("\n");
    const line = lines.findIndex((l) => l.includes("function createInProcessTransport("));
    expect(line).toBeGreaterThanOrEqual(0);
    const column = lines[line]!.indexOf("function createInProcessTransport(");
    const map = new SourceMap(JSON.parse(readFileSync(new URL("main.js.map", dir), "utf8")));
    const entry = map.findEntry(line, column + "function ".length) as { originalSource: string; originalLine: number };
    expect(entry.originalSource).toMatch(/src\/otp\/client\/in-process-transport\.ts$/);
    const source = readFileSync(new URL("../src/otp/client/in-process-transport.ts", import.meta.url), "utf8");
    expect(source.split("\n")[entry.originalLine]).toContain("createInProcessTransport");
  });
});
