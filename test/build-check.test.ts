import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// The start command's first --import (scripts/ensure-built.mjs), run in a copy of the project's
// layout whose build.mjs is a stand-in that records it ran: the real build would rewrite the
// dist/ other tests are running.
const scripts = fileURLToPath(new URL("../scripts/", import.meta.url));
const outputs = ["dist/src/main.js", "dist/bundle/main.js", "dist/bundle/telemetry.js"];

let root: string;
const at = (p: string) => join(root, p);
const write = (p: string, text: string) => {
  mkdirSync(join(at(p), ".."), { recursive: true });
  writeFileSync(at(p), text);
};
const age = (p: string, secondsAgo: number) => {
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(at(p), t, t);
};

/** Runs `node --import <copy>/scripts/ensure-built.mjs` on a main that prints whether the build ran first. */
function start(): { status: number | null; stdout: string; stderr: string } {
  write(
    "app.mjs",
    `import { existsSync } from "node:fs"; console.log("main ran; built before: " + existsSync(${JSON.stringify(at("built"))}));`,
  );
  const run = spawnSync(process.execPath, ["--import", at("scripts/ensure-built.mjs"), at("app.mjs")], {
    cwd: root,
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A build that is current: every output there, the stamp newer than every source. */
function built(): void {
  for (const p of ["src/main.ts", "gen/otp_pb.ts", "package.json"]) {
    write(p, "x");
    age(p, 60);
  }
  for (const dir of ["src", "gen"]) age(dir, 60);
  for (const p of outputs) write(p, "built");
  write("dist/.build-stamp", String(Date.now() - 30_000));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "otp-build-check-"));
  mkdirSync(at("scripts"));
  for (const f of ["ensure-built.mjs", "build-stamp.mjs", "bundle.mjs"])
    copyFileSync(join(scripts, f), at(`scripts/${f}`));
  // The stand-in build: records that it ran, prints to stdout (which must not reach the log stream), exits as told.
  write(
    "scripts/build.mjs",
    `import { writeFileSync } from "node:fs"; console.log("compiling"); writeFileSync(${JSON.stringify(at("built"))}, "");
     process.exit(Number(process.env.BUILD_EXIT ?? 0));`,
  );
  built();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("npm start's build check", () => {
  it("does not build when the build is current", () => {
    const run = start();
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe("main ran; built before: false");
  });

  it("builds before the gateway loads when a source is newer than the last build, its output on stderr", () => {
    write("src/otp/new-file.ts", "x");
    const run = start();
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe("main ran; built before: true");
    expect(run.stderr).toContain("compiling");
  });

  it("builds when a source was deleted (its folder changed) or an output is missing", () => {
    utimesSync(at("src"), new Date(), new Date());
    expect(start().stdout).toContain("built before: true");
    rmSync(at("built"));
    built();
    rmSync(at("dist/bundle/telemetry.js"));
    expect(start().stdout).toContain("built before: true");
  });

  it("does not start a stale gateway when the build fails", () => {
    write("src/main.ts", "changed");
    process.env.BUILD_EXIT = "2";
    try {
      const run = start();
      expect(run.status).toBe(2);
      expect(run.stdout).not.toContain("main ran");
      expect(run.stderr).toContain("build failed (exit 2): not starting a stale gateway");
    } finally {
      delete process.env.BUILD_EXIT;
    }
  });

  it("checks nothing where there are no sources (the image)", () => {
    rmSync(at("src"), { recursive: true });
    rmSync(at("dist/bundle/telemetry.js"));
    const run = start();
    expect(run.stdout.trim()).toBe("main ran; built before: false");
    expect(existsSync(at("built"))).toBe(false);
  });
});
