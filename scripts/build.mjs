// Compiles src/ and gen/ into dist/ when they changed since the last successful build, so
// `npm start` is ready in well under a second on a machine that has built once (`npm ci` builds
// through `prepare`), and a fresh clone's `npm ci && npm start` still works.
//
// Two outputs: tsc's dist/src/ (type-checked, one file per module: the CLI and the profiler run
// it) and the bundle dist/bundle/ (scripts/bundle.mjs: what `npm start` and the image run).
//
//   node scripts/build.mjs            build if stale
//   node scripts/build.mjs --force    build anyway
//
// What counts as stale is in build-stamp.mjs.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { buildState } from "./build-stamp.mjs";
import { bundle } from "./bundle.mjs";

const root = new URL("..", import.meta.url).pathname;

// A Docker stage installing dependencies before the sources are copied, or a production install
// without TypeScript, has nothing to build with: dist/ is left as it is.
const state = buildState(root);
if (!state.hasSources) process.exit(0);
if (!process.argv.includes("--force") && !state.stale) process.exit(0);

// Only now: a start whose build is current must not pay for loading esbuild.
const require = createRequire(import.meta.url);
let tsc;
let esbuild;
let codec;
try {
  tsc = require.resolve("typescript/bin/tsc");
  esbuild = await import(pathToFileURL(require.resolve("esbuild")).href);
  codec = require("@jridgewell/sourcemap-codec");
} catch {
  console.error("build: the build tools (TypeScript, esbuild) are not installed (a production install); dist/ is left as it is");
  process.exit(0);
}

const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
if (result.status !== 0) process.exit(result.status ?? 1);

await bundle(root, esbuild, codec);
state.record();
