import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayProcess, spawnGateway } from "./support/process.js";

// Server reflection as tools use it, against a real gateway, with no local proto given.

const run = promisify(execFile);
const root = new URL("..", import.meta.url);
let gw: GatewayProcess;

beforeAll(async () => {
  gw = await spawnGateway({}, { telemetry: false });
});
afterAll(async () => gw?.stop());

const bufCurl = (...args: string[]) =>
  run("npx", ["buf", "curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args], { cwd: root, timeout: 30_000 });

describe("gRPC server reflection on GRPC_PORT", () => {
  it("lets buf curl list every method, then call SendOtp, knowing nothing but the address", async () => {
    const { stdout } = await bufCurl("--list-methods", `http://127.0.0.1:${gw.grpcPort}`);
    expect(stdout.trim().split("\n")).toEqual(
      expect.arrayContaining([
        "otp.v1.OtpService/SendOtp",
        "otp.v1.OtpService/WatchDelivery",
        "otp.v1.VerifyService/StartVerification",
        "grpc.health.v1.Health/Check",
      ]),
    );
    const sent = await bufCurl(
      "--data",
      '{"channel":"CHANNEL_SMS","phone_number":"+14155552671","code":"482913"}',
      `http://127.0.0.1:${gw.grpcPort}/otp.v1.OtpService/SendOtp`,
    );
    expect(JSON.parse(sent.stdout)).toMatchObject({ provider: "sandbox", status: "DELIVERY_STATUS_ACCEPTED" });
  });

  it("answers the older v1alpha too, and says NOT_FOUND for a symbol it does not know", async () => {
    const definition = protoLoader.loadSync("proto/grpc/reflection/v1alpha/reflection.proto", {
      includeDirs: ["proto"],
      keepCase: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as any;
    const client = new loaded.grpc.reflection.v1alpha.ServerReflection(
      `127.0.0.1:${gw.grpcPort}`,
      grpc.credentials.createInsecure(),
    );
    const call = client.ServerReflectionInfo();
    const answers: any[] = [];
    call.on("data", (a: any) => answers.push(a));
    const ended = new Promise((r) => call.on("end", r));
    call.write({ list_services: "" });
    call.write({ file_containing_symbol: "otp.v1.OtpService" });
    call.write({ file_containing_symbol: "payments.v1.Ledger" });
    call.end();
    await ended;
    client.close();
    expect(answers[0].list_services_response.service.map((s: { name: string }) => s.name)).toContain(
      "otp.v1.OtpService",
    );
    // otp.proto and the timestamp.proto it imports.
    expect(answers[1].file_descriptor_response.file_descriptor_proto).toHaveLength(2);
    expect(answers[2].error_response.error_code).toBe(grpc.status.NOT_FOUND);
  });
});

describe("GRPC_REFLECTION=off", () => {
  it("serves no reflection", async () => {
    const off = await spawnGateway({ GRPC_REFLECTION: "off" }, { telemetry: false });
    try {
      await expect(bufCurl("--list-methods", `http://127.0.0.1:${off.grpcPort}`)).rejects.toThrow();
    } finally {
      await off.stop();
    }
  });
});
