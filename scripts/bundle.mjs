// esbuild's bundle of the gateway (dist/bundle/), which `npm start`, the image and the tests
// run; scripts/build.mjs calls it after tsc. One module plus lazy chunks for what only some
// configurations load (Redis, OAuth, the tracing SDK): loading ~800 modules one by one was
// most of the gateway's start-up (bench/README.md).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const entryPoints = ["src/main.ts", "src/telemetry.ts"];
/** The files the start command runs, one per entry point: a build without them is stale. */
export const bundleOutputs = entryPoints.map((entry) => entry.replace(/^src\/(.*)\.ts$/, "dist/bundle/$1.js"));

/** Bundles into dist/bundle/; exits the process if the bundle would misname a class. */
export async function bundle(root, esbuild, codec) {
  rmSync(join(root, "dist/bundle"), { recursive: true, force: true });
  const { metafile } = await esbuild.build({
    absWorkingDir: root,
    entryPoints,
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
    // renamedOwnClasses() keeps the gateway's class names, which logs carry as an error's type.
    // The CommonJS packages call require(); an ES module has none of its own.
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
    logLevel: "warning",
    metafile: true,
  });
  renamedOwnClasses(root, metafile);
  for (const output of Object.keys(metafile.outputs).filter((p) => p.endsWith(".js.map"))) ownSourcesOnly(join(root, output), codec);
}

/**
 * Keeps only the mappings into src/ and gen/. Node parses a whole map the first time a stack
 * trace passes through its file and keeps it: the bundle's full map held 33 MB of heap from the
 * first logged error on. A package's code is marked unmapped (a segment without a source), so
 * its frames show their place in the bundle, not the nearest line of ours before them.
 */
function ownSourcesOnly(mapFile, codec) {
  const map = JSON.parse(readFileSync(mapFile, "utf8"));
  const own = (s) => s.length > 1 && !map.sources[s[1]].includes("node_modules/");
  const sources = new Map();
  const names = new Map();
  const index = (table, key) => (table.has(key) ? table.get(key) : table.set(key, table.size).get(key));
  const lines = codec.decode(map.mappings).map((segments) => {
    const kept = [];
    for (const s of segments) {
      if (!own(s)) {
        if (kept.length === 0 || kept.at(-1).length > 1) kept.push([s[0]]);
        continue;
      }
      const mapped = [s[0], index(sources, map.sources[s[1]]), s[2], s[3]];
      kept.push(s.length === 5 ? [...mapped, index(names, map.names[s[4]])] : mapped);
    }
    return kept;
  });
  map.sources = [...sources.keys()];
  map.names = [...names.keys()];
  map.mappings = codec.encode(lines);
  writeFileSync(mapFile, JSON.stringify(map));
}

/** Fails the build if the bundle renamed a class of src/, or a package's one of the same name. */
function renamedOwnClasses(root, metafile) {
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
