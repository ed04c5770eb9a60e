// Whether dist/ is older than its sources: shared by build.mjs and the start command's
// up-to-date check (ensure-built.mjs), so both agree on what "stale" means.
//
// Stale means: some file or folder under src/ or gen/, or a tsconfig or package file, is newer
// than the newest one the last build saw (recorded in dist/.build-stamp after it succeeded), or
// one of the files the start command runs is missing. Folders count too, so a deleted source
// file makes the build stale.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleOutputs } from "./bundle.mjs";

const inputs = ["src", "gen", "tsconfig.json", "tsconfig.build.json", "package.json", "package-lock.json"];
const stamp = "dist/.build-stamp";
/** What a build makes and the start command runs: tsc's entry and the bundle's. */
const outputs = ["dist/src/main.js", ...bundleOutputs];

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  let newest = stat.mtimeMs;
  if (stat.isDirectory()) for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/**
 * `hasSources` false: an image or a production install holds dist/ only, and there is nothing
 * to compare with. `record()` writes the stamp once a build succeeded.
 */
export function buildState(root) {
  if (!existsSync(join(root, "src"))) return { hasSources: false, stale: false, record() {} };
  const newest = Math.max(...inputs.map((p) => newestMtime(join(root, p))));
  const stampFile = join(root, stamp);
  const built = existsSync(stampFile) ? Number(readFileSync(stampFile, "utf8")) : 0;
  const complete = outputs.every((p) => existsSync(join(root, p)));
  return {
    hasSources: true,
    stale: built < newest || !complete,
    record: () => writeFileSync(stampFile, String(newest)),
  };
}
