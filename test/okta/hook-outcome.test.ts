import { readFileSync } from "node:fs";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  CarrierErrorDetailSchema,
  CarrierFailure,
  GatewayErrorDetailSchema,
  GatewayFailure,
} from "../../gen/otp/v1/otp_pb.js";
import { hookOutcome } from "../../src/okta/hook-outcome.js";

// Every failure the service can name reaches Okta as one fixed reason. The table is the
// contract: a new failure kind without a reason here fails, and so does a reason the README
// does not list for admins.
const carrierReasons: Record<keyof typeof CarrierFailure, string> = {
  UNSPECIFIED: "gateway_error",
  INVALID_DESTINATION: "destination_refused",
  REJECTED: "carrier_refused",
  CHANNEL_NOT_CONFIGURED: "voice_not_configured",
  MISCONFIGURED: "gateway_error",
  RATE_LIMITED: "rate_limited",
  UNAVAILABLE: "carrier_unavailable",
  TIMEOUT: "timeout",
  UNKNOWN: "outcome_unknown",
};
const gatewayReasons: Record<keyof typeof GatewayFailure, string> = {
  UNSPECIFIED: "gateway_error",
  OVERLOADED: "overloaded",
  LIMITS_UNAVAILABLE: "gateway_unavailable",
  IN_PROGRESS: "timeout",
  KEY_REUSED: "duplicate_event",
};
const transportReasons: Array<[keyof typeof Code, string]> = [
  ["Unavailable", "gateway_unavailable"],
  ["DeadlineExceeded", "timeout"],
  ["InvalidArgument", "invalid_request"],
  ["Internal", "gateway_error"],
  ["Canceled", "gateway_error"],
];

const names = <T extends object>(e: T) => Object.keys(e).filter((k) => Number.isNaN(Number(k))) as Array<keyof T>;
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("what Okta is told for each failure the service names", () => {
  it.each(names(CarrierFailure))("carrier failure %s", (name) => {
    const err = new ConnectError("x", Code.Unknown, undefined, [
      { desc: CarrierErrorDetailSchema, value: { provider: "8x8", failure: CarrierFailure[name] } },
    ]);
    expect(hookOutcome(err, "voice")).toMatchObject({ kind: "failed", reason: carrierReasons[name], provider: "8x8" });
  });

  it.each(names(GatewayFailure))("gateway failure %s", (name) => {
    const err = new ConnectError("x", Code.Unknown, undefined, [
      { desc: GatewayErrorDetailSchema, value: { failure: GatewayFailure[name] } },
    ]);
    expect(hookOutcome(err, "sms")).toEqual({ kind: "failed", reason: gatewayReasons[name] });
  });

  it.each(transportReasons)("an RPC that failed with %s and no detail", (code, reason) => {
    expect(hookOutcome(new ConnectError("x", Code[code]), "sms")).toEqual({ kind: "failed", reason });
  });

  it("lists every reason in the README for admins", () => {
    const all = new Set([
      ...Object.values(carrierReasons),
      ...Object.values(gatewayReasons),
      ...transportReasons.map((r) => r[1]),
    ]);
    for (const reason of all) expect(readme, reason).toContain(`\`${reason}\``);
  });
});
