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
// Stale means: some file or folder under src/ or gen/, or a tsconfig or package file, is newer
// than the newest one the last build saw (recorded in dist/.build-stamp after it succeeded).
// Folders count too, so a deleted source file makes the build stale.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundle, bundleOutputs } from "./bundle.mjs";

const root = new URL("..", import.meta.url).pathname;
const stampFile = join(root, "dist/.build-stamp");
const inputs = ["src", "gen", "tsconfig.json", "tsconfig.build.json", "package.json", "package-lock.json"];

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  let newest = stat.mtimeMs;
  if (stat.isDirectory()) for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

// A Docker stage installing dependencies before the sources are copied, or a production install
// without TypeScript, has nothing to build with: dist/ is left as it is.
if (!existsSync(join(root, "src"))) process.exit(0);
const newest = Math.max(...inputs.map((p) => newestMtime(join(root, p))));
const built = existsSync(stampFile) ? Number(readFileSync(stampFile, "utf8")) : 0;
const outputs = ["dist/src/main.js", ...bundleOutputs];
const complete = outputs.every((p) => existsSync(join(root, p)));
if (!process.argv.includes("--force") && built >= newest && complete) process.exit(0);

// Only now: `npm start` runs this check, and loading esbuild would add to every start.
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
writeFileSync(stampFile, String(newest));
