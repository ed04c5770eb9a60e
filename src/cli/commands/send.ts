import { randomInt } from "node:crypto";
import { toJson } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { Channel, SendOtpResponseSchema } from "../../../gen/otp/v1/otp_pb.js";
import { createBearerInterceptor, createOtpClient } from "../../otp/client/index.js";
import { oneOf, output, readArgs, required } from "../args.js";

export const usage = `otp-gateway send --channel sms|voice --to <+E.164> [--code <4-10 letters or digits>]
                    [--url http://localhost:8080] [--json]
  Sends one code through OtpService (Connect). The API key comes from OTP_API_KEY.`;

/** `send`: one code through the API, as an internal service would send it. */
export async function send(argv: string[]): Promise<number> {
  const { values } = readArgs(argv, {
    channel: { type: "string" },
    to: { type: "string" },
    code: { type: "string" },
    url: { type: "string", default: "http://localhost:8080" },
  });
  const channel = oneOf(required(values, "channel"), ["sms", "voice"], "channel");
  const to = required(values, "to");
  const code = typeof values.code === "string" ? values.code : String(randomInt(0, 1_000_000)).padStart(6, "0");
  const key = process.env.OTP_API_KEY;
  const client = createOtpClient(
    { kind: "remote", url: String(values.url), protocol: "connect", tracing: false },
    key ? [createBearerInterceptor(key)] : [],
  );
  try {
    const res = await client.sendOtp(
      { channel: channel === "sms" ? Channel.SMS : Channel.VOICE, phoneNumber: to, code },
      { timeoutMs: 15_000 },
    );
    const lines = [
      `accepted by ${res.provider}: delivery ${res.deliveryId}`,
      `  to ${res.maskedPhoneNumber} by ${channel}, carrier id ${res.providerMessageId}`,
    ];
    output(values.json === true, { ok: true, response: toJson(SendOtpResponseSchema, res) }, lines);
    return 0;
  } catch (err) {
    const ce = ConnectError.from(err);
    const details = ce.details.map((d) => ("desc" in d ? d.desc.typeName : d.type));
    const code = Code[ce.code];
    output(values.json === true, { ok: false, code, message: ce.rawMessage, details }, [
      `not sent: ${ce.rawMessage} (${code})`,
    ]);
    return 1;
  }
}
