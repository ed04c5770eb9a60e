import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { useSandboxGateway } from "./support/process.js";

// Every curl and buf curl example in the README runs, as written, against a real sandbox
// gateway started as `npm start` starts it: an example that stops working fails here.

const run = promisify(execFile);
const root = new URL("..", import.meta.url);
const readme = readFileSync(new URL("README.md", root), "utf8");

/** The README's shell examples that call the gateway, each a whole command (continuations joined). */
function examples(): string[] {
  const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const commands: string[] = [];
  for (const block of blocks) {
    let current = "";
    for (const line of block.split("\n")) {
      current += current === "" ? line : `\n${line}`;
      // A command goes on after a trailing backslash or inside an open single-quoted string.
      if (line.endsWith("\\") || (current.match(/'/g) ?? []).length % 2 === 1) continue;
      if (/^(npx buf )?curl /.test(current)) commands.push(current);
      current = "";
    }
  }
  return commands;
}

const sandbox = useSandboxGateway();

describe("the README's examples", () => {
  const found = examples();

  it("are found (hook, sandbox messages and reset, Connect, gRPC)", () => {
    expect(found.length).toBeGreaterThanOrEqual(5);
  });

  it.each(found.map((c) => [c.split("\n")[0]!, c]))("%s", async (_first, command) => {
    const local = command
      .replaceAll("localhost:8080", `127.0.0.1:${sandbox.gw.httpPort}`)
      .replaceAll("localhost:8081", `127.0.0.1:${sandbox.gw.grpcPort}`);
    const { stdout } = await run("bash", ["-c", local], {
      cwd: root,
      timeout: 30_000,
      env: { PATH: process.env.PATH ?? "", SECRET: sandbox.secret, OTP_API_KEY: "" },
    });
    // A listing (buf curl --list-methods) is lines of text; every other example answers JSON.
    if (command.includes("--list-methods")) return expect(stdout).toContain("otp.v1.OtpService/SendOtp");
    const answer = JSON.parse(stdout);
    expect(answer).not.toHaveProperty("error");
    if (command.includes("/okta/telephony")) expect(answer.commands[0].value[0].status).toBe("SUCCESSFUL");
    if (command.includes("SendOtp")) expect(answer).toMatchObject({ provider: "sandbox" });
  });
});
