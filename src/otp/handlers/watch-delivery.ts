import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import {
  type WatchDeliveryRequest,
  type WatchDeliveryResponse,
  WatchDeliveryResponseSchema,
} from "../../../gen/otp/v1/otp_pb.js";
import { isFinal } from "../../delivery/record.js";
import { callerKey } from "../caller.js";
import { deliveryMessage } from "../deliveries/delivery-message.js";
import { type DeliveryAccess, findDelivery } from "../deliveries/lookup.js";
import { answerMarginMs } from "../send/send.js";
import { notKept, storeCall } from "./get-delivery.js";

// How often a watch reads a shared store, for changes another replica made.
const pollMs = 1_000;

/**
 * `WatchDelivery`: the record now, then after each change of status, until a final status or
 * the caller's deadline (a little before it, so the stream ends cleanly).
 */
export function createWatchDeliveryHandler(access: DeliveryAccess | undefined) {
  return async function* watchDelivery(
    req: WatchDeliveryRequest,
    ctx: HandlerContext,
  ): AsyncGenerator<WatchDeliveryResponse> {
    if (!access) throw notKept();
    const longest = access.maxWatchMs;
    const endsAt = Date.now() + Math.min(ctx.timeoutMs() ?? longest, longest) - answerMarginMs;
    let record = await storeCall(() => findDelivery(access, req, ctx.values.get(callerKey)));
    yield create(WatchDeliveryResponseSchema, { delivery: deliveryMessage(record) });
    if (isFinal(record.state)) return;
    const watch = access.tracker.watch(record.deliveryId);
    if (!watch)
      throw new ConnectError("too many deliveries are watched now; try again shortly", Code.ResourceExhausted);
    try {
      while (!ctx.signal.aborted) {
        const left = endsAt - Date.now();
        if (left <= 0) return;
        await watch.next(access.tracker.shared ? Math.min(pollMs, left) : left, ctx.signal);
        const current = await storeCall(() => access.tracker.get(record.deliveryId));
        if (!current) return;
        if (current.state !== record.state) {
          record = current;
          yield create(WatchDeliveryResponseSchema, { delivery: deliveryMessage(record) });
          if (isFinal(record.state)) return;
        }
      }
    } finally {
      watch.close();
    }
  };
}
