import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { LineBatch } from "../src/observability/line-batch.js";

const writes = () => {
  const texts: string[] = [];
  return { texts, sink: { write: (text: string) => texts.push(text) } };
};
const afterDelay = () => new Promise((r) => setTimeout(r, 20));

describe("the gateway's log lines (line-batch.ts)", () => {
  it("writes the lines logged within its delay together, in order, soon after", async () => {
    const { texts, sink } = writes();
    const log = pino({ base: null, timestamp: false }, new LineBatch(sink));
    log.info("one");
    log.warn({ n: 2 }, "two");
    expect(texts).toEqual([]);
    await afterDelay();
    expect(texts).toHaveLength(1);
    expect(
      texts[0]!
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).msg),
    ).toEqual(["one", "two"]);
    log.info("three");
    await afterDelay();
    expect(texts).toHaveLength(2);
    expect(JSON.parse(texts[1]!).msg).toBe("three");
  });

  it("writes at once when maxLines are waiting, so what waits stays bounded", () => {
    const { texts, sink } = writes();
    const batch = new LineBatch(sink, 3);
    for (const l of ["a\n", "b\n", "c\n", "d\n"]) batch.write(l);
    expect(texts).toEqual(["a\nb\nc\n"]);
    batch.flushSync();
    expect(texts).toEqual(["a\nb\nc\n", "d\n"]);
    batch.flushSync();
    expect(texts).toHaveLength(2);
  });

  it("loses no line when the process exits in the same turn it logged (the logger main.ts makes)", () => {
    const logger = fileURLToPath(new URL("../dist/src/observability/logger.js", import.meta.url));
    const script = `const { createLogger } = await import(${JSON.stringify(logger)});
      const log = createLogger("info", "authorization");
      log.info("first"); log.warn("last words"); process.exit(3);`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(run.status).toBe(3);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; service: string });
    expect(lines.map((l) => l.msg)).toEqual(["first", "last words"]);
    expect(lines[0]!.service).toBe("otp-gateway");
  });

  it("keeps its lines before what main.ts writes to stdout itself (logger.flush)", () => {
    const logger = fileURLToPath(new URL("../dist/src/observability/logger.js", import.meta.url));
    const script = `const { createLogger } = await import(${JSON.stringify(logger)});
      const log = createLogger("info", "authorization");
      log.warn("logged first"); log.flush(); process.stdout.write("banner\\n");`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    const out = run.stdout.trim().split("\n");
    expect(JSON.parse(out[0]!).msg).toBe("logged first");
    expect(out[1]).toBe("banner");
  });
});
