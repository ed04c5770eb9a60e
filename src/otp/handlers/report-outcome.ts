import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import {
  GetDeliveryRequestSchema,
  type ReportOutcomeRequest,
  type ReportOutcomeResponse,
  ReportOutcomeResponseSchema,
} from "../../../gen/otp/v1/otp_pb.js";
import { callerKey } from "../caller.js";
import { conversionOf } from "../deliveries/delivery-message.js";
import { type DeliveryAccess, findDelivery } from "../deliveries/lookup.js";
import { notKept, storeCall } from "./get-delivery.js";

const noAdmins: ReadonlySet<string> = new Set();

/** `ReportOutcome`: the caller says whether the code of one of its own sends was used. */
export function createReportOutcomeHandler(access: DeliveryAccess | undefined) {
  return async function reportOutcome(req: ReportOutcomeRequest, ctx: HandlerContext): Promise<ReportOutcomeResponse> {
    if (!access) throw notKept();
    const caller = ctx.values.get(callerKey);
    // Only the caller's own sends, admins too: a report moves counters and 8x8's routing.
    const lookup = create(GetDeliveryRequestSchema, { lookup: req.lookup });
    const record = await storeCall(() => findDelivery({ ...access, admins: noAdmins }, lookup, caller));
    const result = req.verified ? "converted" : "not_converted";
    const decided = await storeCall(() => access.tracker.conclude(record.deliveryId, result));
    // Decided earlier (or by a report racing this one): the record says what stands.
    const standing = decided ? result : (await storeCall(() => access.tracker.get(record.deliveryId)))?.conversion;
    return create(ReportOutcomeResponseSchema, { conversion: conversionOf(standing) });
  };
}
