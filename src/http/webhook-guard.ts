import type { BlockList } from "node:net";
import { isIPv6 } from "node:net";
import { createSecretMatcher } from "../auth/secrets.js";

export interface WebhookGuardOptions {
  /** What 8x8 sends as `Authorization`; undefined: no check (the open sandbox). */
  readonly secret?: string;
  /** Addresses 8x8 may post from; undefined: any. */
  readonly allowedIps?: BlockList;
}

export type GuardVerdict = "ok" | "unauthorized" | "forbidden";

/**
 * Who may post receipts. The secret is accepted as the whole `Authorization` value (8x8's
 * `httpAuthorization`), after `Bearer `, or as the password of Basic authorization (what a
 * per-message callback URL with user info produces). Each form is compared in constant time.
 */
export function createWebhookGuard(
  options: WebhookGuardOptions,
): (address: string, authorization: unknown) => GuardVerdict {
  const { secret, allowedIps } = options;
  const matches = secret === undefined ? undefined : createSecretMatcher(secret);
  return (address, authorization) => {
    if (allowedIps && !allowed(allowedIps, address)) return "forbidden";
    if (!matches) return "ok";
    if (typeof authorization !== "string" || authorization === "") return "unauthorized";
    const candidates = [authorization, stripScheme(authorization, "bearer"), basicPassword(authorization)];
    // Every form is checked, so the time taken does not tell which one was tried.
    let ok = false;
    for (const candidate of candidates) if (matches(candidate ?? "") && candidate !== undefined) ok = true;
    return ok ? "ok" : "unauthorized";
  };
}

function allowed(blocks: BlockList, address: string): boolean {
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) return blocks.check(v4, "ipv4");
  return blocks.check(address, isIPv6(address) ? "ipv6" : "ipv4");
}

function stripScheme(value: string, scheme: string): string | undefined {
  return value.slice(0, scheme.length + 1).toLowerCase() === `${scheme} `
    ? value.slice(scheme.length + 1).trim()
    : undefined;
}

function basicPassword(value: string): string | undefined {
  const encoded = stripScheme(value, "basic");
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const sep = decoded.indexOf(":");
  if (sep < 0) return undefined;
  const password = decoded.slice(sep + 1);
  try {
    return decodeURIComponent(password);
  } catch {
    return password;
  }
}
