import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import {
  type GetDeliveryRequest,
  type GetDeliveryResponse,
  GetDeliveryResponseSchema,
} from "../../../gen/otp/v1/otp_pb.js";
import { callerKey } from "../caller.js";
import { deliveryMessage } from "../deliveries/delivery-message.js";
import { type DeliveryAccess, findDelivery } from "../deliveries/lookup.js";
import { storeCall as readOrWrite } from "../errors.js";

/** `GetDelivery`: one send's record, if the caller may see it. */
export function createGetDeliveryHandler(access: DeliveryAccess | undefined) {
  return async function getDelivery(req: GetDeliveryRequest, ctx: HandlerContext): Promise<GetDeliveryResponse> {
    if (!access) throw notKept();
    const record = await storeCall(() => findDelivery(access, req, ctx.values.get(callerKey)));
    return create(GetDeliveryResponseSchema, { delivery: deliveryMessage(record) });
  };
}

export const notKept = () => new ConnectError("this gateway keeps no delivery records", Code.Unimplemented);

/** A delivery store's failure, as UNAVAILABLE. */
export const storeCall = <T>(call: () => Promise<T>) => readOrWrite("delivery records cannot be read now", call);
