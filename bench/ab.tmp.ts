import { spawn } from "node:child_process";
import { startNodeOptions, freePort } from "/work/main/test/support/process.js";
import { hookLoad } from "/work/main/bench/support/load.js";
import { benchGatewayEnv, spawnReference, startBenchFake } from "/work/main/bench/support/setup.js";
import { procSample } from "/work/main/bench/support/measure.js";
const fake = await startBenchFake(20);
async function spawnAt(dir: string) {
  const ports = { HTTP_PORT: String(await freePort()), GRPC_PORT: String(await freePort()) };
  const child = spawn(process.execPath, [...startNodeOptions, "dist/src/main.js"], { cwd: dir, env: { PATH: process.env.PATH!, HOST: "127.0.0.1", NODE_ENV: "test", ...benchGatewayEnv(fake, false), ...ports }, stdio: "ignore" });
  for (let i = 0; i < 500; i++) { if (await fetch(`http://127.0.0.1:${ports.HTTP_PORT}/readyz`).then((r) => r.ok, () => false)) break; await new Promise((r) => setTimeout(r, 20)); }
  return { child, httpPort: Number(ports.HTTP_PORT), stop: () => new Promise((r) => { child.once("exit", r); child.kill(); }) };
}
const run = async (label: string, gw: any) => {
  await hookLoad(gw.httpPort, 128, "SMS", 25);
  const a = procSample(gw.child.pid!);
  const r = await hookLoad(gw.httpPort, 128, "SMS", 8);
  const b = procSample(gw.child.pid!);
  console.log(label, Math.round(r.reqPerSec), "req/s", Math.round((b.ticks - a.ticks) * 1e4 / r.completed), "µs/req", Math.round(b.rssMb), "MB", r.errors + r.non2xx, "failed");
  await gw.stop();
};
for (const dir of (process.argv[2] ?? "").split(",")) {
  if (dir === "proxy") await run("proxy", await spawnReference("proxy", fake));
  else await run(dir, await spawnAt(dir));
}
fake.child.kill(); process.exit(0);
