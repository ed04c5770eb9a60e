// Compiles src/ and gen/ into dist/ when they changed since the last successful build, so
// `npm start` is ready in well under a second on a machine that has built once (`npm ci` builds
// through `prepare`), and a fresh clone's `npm ci && npm start` still works.
//
// Two outputs: tsc's dist/src/ (type-checked, one file per module: the CLI and the profiler run
// it) and esbuild's dist/bundle/ (what `npm start` and the image run). Loading the ~800 modules
// of the gateway and its packages one by one was most of its start-up time (bench/README.md);
// the bundle is one file plus lazy chunks for what only some configurations load (Redis,
// OAuth, the tracing SDK).
//
//   node scripts/build.mjs            build if stale
//   node scripts/build.mjs --force    build anyway
//
// Stale means: some file or folder under src/ or gen/, or a tsconfig or package file, is newer
// than the newest one the last build saw (recorded in dist/.build-stamp after it succeeded).
// Folders count too, so a deleted source file makes the build stale.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

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
const outputs = ["dist/src/main.js", "dist/bundle/main.js", "dist/bundle/telemetry.js"];
const complete = outputs.every((p) => existsSync(join(root, p)));
if (!process.argv.includes("--force") && built >= newest && complete) process.exit(0);

// Only now: `npm start` runs this check, and loading esbuild would add to every start.
const require = createRequire(import.meta.url);
let tsc;
let esbuild;
try {
  tsc = require.resolve("typescript/bin/tsc");
  esbuild = await import(pathToFileURL(require.resolve("esbuild")).href);
} catch {
  console.error("build: TypeScript or esbuild is not installed (a production install); dist/ is left as it is");
  process.exit(0);
}

const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
if (result.status !== 0) process.exit(result.status ?? 1);

rmSync(join(root, "dist/bundle"), { recursive: true, force: true });
const bundled = await esbuild.build({
  absWorkingDir: root,
  entryPoints: ["src/main.ts", "src/telemetry.ts"],
  outdir: "dist/bundle",
  bundle: true,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  // A third less text to parse at start; names are kept for profiles and the source map.
  minifyWhitespace: true,
  minifySyntax: true,
  // Stack traces name the TypeScript file and line; the sources themselves stay out of the map.
  sourcesContent: false,
  // Not keepNames: it renames every closure as it is made, a send's included (bench/README.md).
  // The check below keeps the gateway's own class names, which logs carry as an error's type.
  // The CommonJS packages call require(); an ES module has none of its own.
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  logLevel: "warning",
  metafile: true,
});
renamedOwnClasses(bundled.metafile);
writeFileSync(stampFile, String(newest));

/** Fails the build if the bundle renamed a class of src/, or a package's one of the same name. */
function renamedOwnClasses(metafile) {
  const own = new Set();
  for (const input of Object.keys(metafile.inputs).filter((p) => p.startsWith("src/")))
    for (const m of readFileSync(join(root, input), "utf8").matchAll(/\bclass (\w+)/g)) own.add(m[1]);
  const renamed = new Set();
  for (const output of Object.keys(metafile.outputs).filter((p) => p.endsWith(".js")))
    for (const m of readFileSync(join(root, output), "utf8").matchAll(/\b(?:(\w+?)\d+ ?= ?class|class (\w+?)\d+)\b/g))
      if (own.has(m[1] ?? m[2])) renamed.add(m[0]);
  if (renamed.size === 0) return;
  console.error(`build: the bundle renamed namesakes of src/ classes (${[...renamed].join(", ")}): rename the src/ one`);
  process.exit(1);
}
