import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { useSandboxGateway } from "./support/process.js";

// The ops CLI as an operator runs it (the built bin), against a real sandbox gateway.

const exec = promisify(execFile);
const root = new URL("..", import.meta.url);
const sandbox = useSandboxGateway();

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ["dist/src/cli/main.js", ...args], {
      cwd: root,
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const http = () => `http://127.0.0.1:${sandbox.gw.httpPort}`;

describe("npx otp-gateway", () => {
  it("send: delivers a code through the API and prints the delivery", async () => {
    const res = await cli(["send", "--channel", "sms", "--to", "+14155552671", "--url", http(), "--json"]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      ok: true,
      response: { provider: "sandbox", status: "DELIVERY_STATUS_ACCEPTED", maskedPhoneNumber: "+1******2671" },
    });
  });

  it("send: says why a code was not sent, and exits 1", async () => {
    const res = await cli(["send", "--channel", "voice", "--to", "+19005550123", "--url", http()]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("not sent: the destination is not allowed by the gateway's policy (PermissionDenied)");
  });

  it("delivery: shows a send's status and receipts (the sandbox's own), and exits 1 for no such send", async () => {
    const sent = await cli(["send", "--channel", "sms", "--to", "+14155552683", "--url", http(), "--json"]);
    const deliveryId = JSON.parse(sent.stdout).response.deliveryId as string;
    const shown = async () => (await cli(["delivery", "--id", deliveryId, "--url", http()])).stdout;
    await expect.poll(shown, { timeout: 5_000 }).toMatch(/^DELIVERED \(delivered\) SMS to \+1\*{6}2683/);
    expect(await shown()).toContain("QUEUED");
    const json = await cli(["delivery", "--id", deliveryId, "--url", http(), "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, delivery: { status: "DELIVERY_STATUS_DELIVERED" } });
    const none = await cli(["delivery", "--id", "no-such-send", "--url", http()]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain("no answer: no such delivery (NotFound)");
  });

  it("okta-preview: posts Okta's preview sample and says what Okta makes of the answer", async () => {
    const res = await cli(["okta-preview", "--to", "+14155552672", "--url", http()], {
      OKTA_AUTH_SECRET: sandbox.secret,
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^SUCCESSFUL via sandbox \(transactionId [0-9a-f-]{36}\): the code counts as sent/);
    const wrong = await cli(["okta-preview", "--to", "+14155552672", "--url", http(), "--secret", "not-it"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain("HTTP 401: Okta skips the hook");
  });

  it("health: ready over HTTP and gRPC", async () => {
    const res = await cli([
      "health",
      "--url",
      http(),
      "--grpc-url",
      `http://127.0.0.1:${sandbox.gw.grpcPort}`,
      "--json",
    ]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ ready: true, grpc: "SERVING", readyz: { status: 200 } });
  });

  it("check-config: valid or not, with secrets only as set or unset", async () => {
    const ok = await cli(["check-config", "--json"], { OTP_API_KEYS: "billing:Kq93XvLp2mW7tR4yZ8aa" });
    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toContain("Kq93XvLp2mW7tR4yZ8aa");
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      secrets: { OTP_API_KEYS: "set", OKTA_AUTH_SECRET: "unset" },
    });
    const bad = await cli(["check-config"], { HTTP_PORT: "abc", EIGHTBYEIGHT_APIKEY: "x" });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('HTTP_PORT: must be a port number (1–65535, or 0 for any free port), got "abc"');
  });

  it.each([
    [["send", "--channel", "fax", "--to", "+14155552671"], "--channel must be one of sms, voice"],
    [["send", "--to", "+14155552671"], "--channel is required"],
    [["delivery", "--id", "a", "--key", "b"], "exactly one of --id, --carrier-id, --key"],
    [["send", "--channel", "sms", "--to", "+1", "--bogus"], "Unknown option '--bogus'"],
    [["reboot"], "unknown command reboot"],
  ])("exits 2 with a usage line for %j", async (args, message) => {
    const res = await cli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
    expect(res.stderr).toMatch(/usage: otp-gateway/);
  });
});
