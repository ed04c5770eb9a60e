import { BlockList, isIP } from "node:net";
import { z } from "zod";
import { blankToUndefined, type Deployment, int, list, optionalUrl, secretString } from "./env.js";

export interface ReceiptsConfig {
  /** 8x8's webhooks: on with a secret (or open in the sandbox); off (404) without one when live. */
  readonly webhooks: {
    readonly enabled: boolean;
    /** The `Authorization` value 8x8 is configured to send; undefined only in the open sandbox. */
    readonly secret?: string;
    /** Source addresses 8x8's webhooks may come from; undefined: any. */
    readonly allowedIps?: BlockList;
    /** Why the routes are off, or open, for the start-up log. */
    readonly notice?: string;
  };
  /** What `request.ip` trusts: Fastify's `trustProxy` (false, true, hop count or addresses). */
  readonly trustProxy: boolean | number | string[];
  /** Where 8x8 reaches this gateway; SMS sends then carry `dlrCallbackUrl` pointing here. */
  readonly publicBaseUrl?: string;
  readonly deliveries: {
    /** Without a final receipt by then after acceptance, a send is UNCONFIRMED. */
    readonly receiptTimeoutMs: { readonly sms: number; readonly voice: number };
    /** Records kept in memory (without OTP_STORE_URL). */
    readonly maxRecords: number;
    /** Delays of the sandbox's own receipts. */
    readonly sandboxReceiptDelayMs: number;
  };
}

// CIDR blocks or single addresses, IPv4 or IPv6: "34.142.20.188/32,52.220.0.0/16".
const addressList = list((items, ctx) => {
  if (items === undefined) return undefined;
  const blocks = new BlockList();
  for (const item of items) {
    const [address = "", bits] = item.split("/");
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
      ctx.addIssue({ code: "custom", message: `${item} is not an IP address or CIDR block` });
      continue;
    }
    blocks.addSubnet(address, prefix, family === 6 ? "ipv6" : "ipv4");
  }
  return blocks;
});

const trustProxy = z.preprocess(
  blankToUndefined,
  z
    .string()
    .default("off")
    .transform((v, ctx): boolean | number | string[] => {
      const word = v.trim().toLowerCase();
      if (["off", "false", "no", "0"].includes(word)) return false;
      if (["on", "true", "yes"].includes(word)) return true;
      if (/^\d{1,2}$/.test(word)) return Number(word);
      const items = v.split(",").map((i) => i.trim());
      if (items.every((i) => isIP(i.split("/")[0] ?? "") !== 0)) return items;
      ctx.addIssue({ code: "custom", message: "must be off, on, a hop count, or a list of proxy addresses/CIDRs" });
      return false;
    }),
);

// "600000" for both channels, or per channel: "sms:600000,voice:300000".
const receiptTimeouts = list((items, ctx) => {
  const timeouts = { sms: 10 * 60_000, voice: 5 * 60_000 };
  const bounds = (ms: number) => Number.isInteger(ms) && ms >= 10_000 && ms <= 48 * 3_600_000;
  for (const item of items ?? []) {
    const [first = "", second] = item.split(":");
    const channels = second === undefined ? (["sms", "voice"] as const) : [first.trim().toLowerCase()];
    const ms = Number(second ?? first);
    if (!bounds(ms) || !channels.every((c) => c === "sms" || c === "voice")) {
      ctx.addIssue({ code: "custom", message: "must be milliseconds (10000–172800000), or sms:<ms>,voice:<ms>" });
      return timeouts;
    }
    for (const c of channels) timeouts[c as "sms" | "voice"] = ms;
  }
  return timeouts;
});

export const receiptVariables = {
  EIGHTBYEIGHT_WEBHOOK_SECRET: secretString(16),
  EIGHTBYEIGHT_WEBHOOK_ALLOWED_IPS: addressList,
  TRUST_PROXY: trustProxy,
  PUBLIC_BASE_URL: optionalUrl(/^https?$/, "must be an http(s) URL"),
  DELIVERY_RECEIPT_TIMEOUT_MS: receiptTimeouts,
  DELIVERY_MAX_RECORDS: int(5_000, 100, 10_000_000),
  SANDBOX_RECEIPT_DELAY_MS: int(1_000, 0, 60_000),
};

type ReceiptsEnv = z.output<z.ZodObject<typeof receiptVariables>>;

/** 8x8's receipts: who may post them, where they are kept, and when a send stops waiting for one. */
export function readReceipts(e: ReceiptsEnv, deployment: Deployment & { sandbox: boolean }): ReceiptsConfig {
  const secret = e.EIGHTBYEIGHT_WEBHOOK_SECRET;
  const enabled = deployment.servesService && (secret !== undefined || deployment.sandbox);
  const notice = !deployment.servesService
    ? undefined
    : secret === undefined && deployment.sandbox
      ? "EIGHTBYEIGHT_WEBHOOK_SECRET is not set: /webhooks/8x8/* take receipts without a secret (sandbox only)"
      : secret === undefined
        ? "EIGHTBYEIGHT_WEBHOOK_SECRET is not set: /webhooks/8x8/* answer 404 and no 8x8 receipt is taken"
        : undefined;
  return {
    webhooks: { enabled, secret, allowedIps: e.EIGHTBYEIGHT_WEBHOOK_ALLOWED_IPS, notice },
    trustProxy: e.TRUST_PROXY,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ""),
    deliveries: {
      receiptTimeoutMs: e.DELIVERY_RECEIPT_TIMEOUT_MS,
      maxRecords: e.DELIVERY_MAX_RECORDS,
      sandboxReceiptDelayMs: e.SANDBOX_RECEIPT_DELAY_MS,
    },
  };
}
