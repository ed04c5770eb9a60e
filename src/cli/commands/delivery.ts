import { toJson } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { Conversion, DeliverySchema, DeliveryStatus } from "../../../gen/otp/v1/otp_pb.js";
import { createBearerInterceptor, createOtpClient } from "../../otp/client/index.js";
import { output, readArgs, UsageError } from "../args.js";

export const usage = `otp-gateway delivery (--id <delivery id> | --carrier-id <umid/sessionId> | --key <idempotency key or Okta eventId>)
                    [--url http://localhost:8080] [--json]
  What became of one send: its status, every receipt, 8x8's error code. The API key comes from
  OTP_API_KEY (a caller of OTP_ADMIN_KEYS sees every send; a --key is then the hook's too).`;

const lookups = { id: "deliveryId", "carrier-id": "providerMessageId", key: "idempotencyKey" } as const;

/** `delivery`: GetDelivery, for "did Grace get her code?". */
export async function delivery(argv: string[]): Promise<number> {
  const { values } = readArgs(argv, {
    id: { type: "string" },
    "carrier-id": { type: "string" },
    key: { type: "string" },
    url: { type: "string", default: "http://localhost:8080" },
  });
  const given = (Object.keys(lookups) as Array<keyof typeof lookups>).filter((k) => typeof values[k] === "string");
  if (given.length !== 1) throw new UsageError("name the send by exactly one of --id, --carrier-id, --key");
  const which = given[0]!;
  const key = process.env.OTP_API_KEY;
  const client = createOtpClient(
    { kind: "remote", url: String(values.url), protocol: "connect", tracing: false },
    key ? [createBearerInterceptor(key)] : [],
  );
  try {
    const { delivery: d } = await client.getDelivery(
      { lookup: { case: lookups[which], value: String(values[which]) } },
      { timeoutMs: 10_000 },
    );
    if (!d) throw new ConnectError("no record in the answer", Code.Internal);
    const at = (t: typeof d.acceptedAt) => (t ? new Date(timestampMs(t)).toISOString() : "?");
    const lines = [
      `${DeliveryStatus[d.status]} (${d.providerState || "no receipt yet"}) ${d.channel === 2 ? "call" : "SMS"} to ${d.maskedPhoneNumber}`,
      `  delivery ${d.deliveryId}, carrier id ${d.providerMessageId}, by ${d.caller}, accepted ${at(d.acceptedAt)}`,
      ...(d.errorCode ? [`  8x8 error ${d.errorCode}: ${d.errorDescription}`] : []),
      ...(d.conversion !== Conversion.UNSPECIFIED
        ? [`  code ${d.conversion === Conversion.CONVERTED ? "used" : "not used"}`]
        : []),
      ...d.events.map((e) =>
        `  ${at(e.at)}  ${DeliveryStatus[e.status] ?? "?"}  ${e.providerState} ${e.detail} ${e.errorCode}`.trimEnd(),
      ),
    ];
    output(values.json === true, { ok: true, delivery: toJson(DeliverySchema, d) }, lines);
    return 0;
  } catch (err) {
    const ce = ConnectError.from(err);
    output(values.json === true, { ok: false, code: Code[ce.code], message: ce.rawMessage }, [
      `no answer: ${ce.rawMessage} (${Code[ce.code]})`,
    ]);
    return 1;
  }
}
