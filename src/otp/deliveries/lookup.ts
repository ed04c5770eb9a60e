import { Code, ConnectError } from "@connectrpc/connect";
import type { GetDeliveryRequest, WatchDeliveryRequest } from "../../../gen/otp/v1/otp_pb.js";
import type { DeliveryRecord } from "../../delivery/record.js";
import type { DeliveryTracker } from "../../delivery/tracker.js";
import { hookCallerName } from "../caller.js";
import { invalidArgument } from "../errors.js";

export interface DeliveryAccess {
  readonly tracker: DeliveryTracker;
  /** Callers that may read every caller's records (OTP_ADMIN_KEYS). */
  readonly admins: ReadonlySet<string>;
  /** The longest a watch lasts without a deadline of the caller's (the longest deadline RPCs get). */
  readonly maxWatchMs: number;
}

const notFound = () => new ConnectError("no such delivery", Code.NotFound);
const maxIdLength = 128;

/**
 * The record a GetDelivery or WatchDelivery request names, if the caller may see it. Another
 * caller's record is NOT_FOUND, as one that does not exist: its existence is not told.
 */
export async function findDelivery(
  access: DeliveryAccess,
  req: GetDeliveryRequest | WatchDeliveryRequest,
  caller: string,
): Promise<DeliveryRecord> {
  const { lookup } = req;
  if (lookup.case === undefined || lookup.value === "" || lookup.value.length > maxIdLength) {
    const empty = lookup.case === undefined || lookup.value === "";
    throw invalidArgument([
      {
        field: lookup.case ?? "lookup",
        description: empty ? "one of delivery_id, provider_message_id or idempotency_key is required" : "too long",
        reason: empty ? "missing" : "too_long",
        message: empty ? "name the delivery by delivery_id, provider_message_id or idempotency_key" : "id is too long",
      },
    ]);
  }
  const admin = access.admins.has(caller);
  if (req.caller !== "" && req.caller !== caller && !admin) {
    throw new ConnectError("only callers in OTP_ADMIN_KEYS may name another caller", Code.PermissionDenied);
  }
  const id = await resolve(access.tracker, lookup, req.caller || caller, admin && req.caller === "");
  const record = id === undefined ? undefined : await access.tracker.get(id);
  if (!record || (record.caller !== caller && !admin)) throw notFound();
  return record;
}

async function resolve(
  tracker: DeliveryTracker,
  lookup: Exclude<GetDeliveryRequest["lookup"], { case: undefined }>,
  owner: string,
  alsoTheHook: boolean,
): Promise<string | undefined> {
  switch (lookup.case) {
    case "deliveryId":
      return lookup.value;
    case "providerMessageId":
      return tracker.find({ kind: "provider", providerMessageId: lookup.value });
    case "idempotencyKey": {
      const own = await tracker.find({ kind: "key", caller: owner, idempotencyKey: lookup.value });
      // An SRE asking about an Okta eventId means the hook's send.
      if (own !== undefined || !alsoTheHook) return own;
      return tracker.find({ kind: "key", caller: hookCallerName, idempotencyKey: lookup.value });
    }
  }
}
