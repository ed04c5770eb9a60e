// The start command's first --import: builds dist/ when a source changed since the last build,
// before Node loads the bundle, in the gateway's own process (a prestart script cost npm a shell
// and a second node, about 180 ms of every start). Current builds cost a walk of src/'s mtimes.
// Build output goes to stderr: stdout is the gateway's log stream.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildState } from "./build-stamp.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

if (buildState(root).stale) {
  const build = fileURLToPath(new URL("build.mjs", import.meta.url));
  const result = spawnSync(process.execPath, [build], { cwd: root, stdio: ["ignore", 2, 2] });
  if (result.status !== 0) {
    process.stderr.write(`build failed (exit ${result.status ?? result.signal}): not starting a stale gateway\n`);
    process.exit(result.status || 1);
  }
}
