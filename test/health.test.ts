import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fake8x8, startFake8x8 } from "./support/fake-8x8.js";
import { fakeCarrierEnv, oktaSecret, useFakeCarrier } from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";
import { type GatewayProcess, spawnGateway } from "./support/process.js";

// gRPC health as a probe sees it: @grpc/grpc-js and the health proto, against a real process.

type Status = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";
let fake: Fake8x8;
let gw: GatewayProcess;
let health: grpc.Client & Record<string, any>;

beforeAll(async () => {
  fake = await startFake8x8();
  gw = await spawnGateway({ ...fakeCarrierEnv(fake), OKTA_AUTH_SECRET: oktaSecret, SHUTDOWN_GRACE_MS: "5000" });
  const definition = protoLoader.loadSync("proto/grpc/health/v1/health.proto", {
    includeDirs: ["proto"],
    enums: String,
  });
  const loaded = grpc.loadPackageDefinition(definition) as any;
  health = new loaded.grpc.health.v1.Health(`127.0.0.1:${gw.grpcPort}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  health?.close();
  await gw?.stop();
  await fake?.close();
});

const check = (service: string) =>
  new Promise<{ err: grpc.ServiceError | null; status?: Status }>((resolve) =>
    health.Check({ service }, (err: grpc.ServiceError | null, res: { status: Status }) =>
      resolve({ err, status: res?.status }),
    ),
  );

describe("grpc.health.v1 on GRPC_PORT, with no API key", () => {
  it("is SERVING for the server and for otp.v1.OtpService once ready", async () => {
    expect(await check("")).toEqual({ err: null, status: "SERVING" });
    expect(await check("otp.v1.OtpService")).toEqual({ err: null, status: "SERVING" });
  });

  it("answers NOT_FOUND for a service it does not serve, and lists the ones it does", async () => {
    expect((await check("payments.v1.Ledger")).err?.code).toBe(grpc.status.NOT_FOUND);
    const list = await new Promise<any>((resolve) => health.List({}, (_e: unknown, res: unknown) => resolve(res)));
    expect(list.statuses).toEqual({
      "": { status: "SERVING" },
      "otp.v1.OtpService": { status: "SERVING" },
      "otp.v1.VerifyService": { status: "SERVING" },
    });
  });

  it("tells a Watch SERVICE_UNKNOWN for an unknown service", async () => {
    const call = health.Watch({ service: "payments.v1.Ledger" });
    call.on("error", () => {});
    const first = await new Promise<{ status: Status }>((resolve) => call.once("data", resolve));
    expect(first.status).toBe("SERVICE_UNKNOWN");
    call.cancel();
  });

  it("pushes NOT_SERVING to a Watch when SIGTERM starts the drain", async () => {
    const call = health.Watch({ service: "" });
    call.on("error", () => {});
    const seen: Status[] = [];
    call.on("data", (m: { status: Status }) => seen.push(m.status));
    await expect.poll(() => seen, { timeout: 2_000 }).toEqual(["SERVING"]);
    // A send in flight keeps the process draining while the probe is asked again.
    fake.behave({ kind: "delay", ms: 1_500 });
    const inFlight = postHook(`http://127.0.0.1:${gw.httpPort}`, oktaHookBody());
    await expect.poll(() => fake.requests.length, { timeout: 2_000 }).toBe(1);
    gw.child.kill("SIGTERM");
    await expect.poll(() => seen, { timeout: 2_000 }).toEqual(["SERVING", "NOT_SERVING"]);
    expect((await inFlight).json.commands[0].value[0].status).toBe("SUCCESSFUL");
    // The Watch ends with the drain rather than holding the process until the grace period.
    const started = Date.now();
    expect(await gw.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_500);
  });
});

describe("grpc.health.v1 when the carrier is down", () => {
  const carrier = useFakeCarrier();
  it("says NOT_SERVING once both circuits are open, over Connect on HTTP/1.1 too", async () => {
    const gw = await carrier.gateway({ CIRCUIT_FAILURE_THRESHOLD: "1", CIRCUIT_COOLDOWN_MS: "60000" });
    const check = async () => {
      const res = await fetch(`${gw.httpUrl}/grpc.health.v1.Health/Check`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      return ((await res.json()) as { status: string }).status;
    };
    expect(await check()).toBe("SERVING");
    carrier.fake.behave({ kind: "sms-error", status: 500, code: 2000, message: "Internal error" });
    await postHook(gw.httpUrl, oktaHookBody({ deliveryChannel: "SMS" }));
    expect(await check()).toBe("SERVING"); // voice can still send
    carrier.fake.behave({ kind: "voice-error", status: 500, statusCode: -9999, statusMessage: "Unknown" });
    await postHook(gw.httpUrl, oktaHookBody({ deliveryChannel: "Voice" }));
    expect(await check()).toBe("NOT_SERVING");
  });
});
