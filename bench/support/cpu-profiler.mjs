// Preloaded into the gateway by bench/profile.ts (node --import): the first SIGUSR2 starts V8's
// CPU profiler, the second stops it and writes the profile to $CPU_PROFILE_OUT. `--cpu-prof`
// would profile the whole process, start-up and warm-up included; this covers only the load.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const session = new Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) =>
    session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
  );

let running = false;
process.on("SIGUSR2", () => {
  const step = running
    ? post("Profiler.stop").then(({ profile }) => writeFileSync(process.env.CPU_PROFILE_OUT, JSON.stringify(profile)))
    : post("Profiler.enable").then(() => post("Profiler.start"));
  running = !running;
  step.catch((err) => process.stderr.write(`cpu-profiler: ${err}\n`));
});
