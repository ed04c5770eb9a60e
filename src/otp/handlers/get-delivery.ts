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

/** `GetDelivery`: one send's record, if the caller may see it. */
export function createGetDeliveryHandler(access: DeliveryAccess | undefined) {
  return async function getDelivery(req: GetDeliveryRequest, ctx: HandlerContext): Promise<GetDeliveryResponse> {
    if (!access) throw notKept();
    const record = await storeCall(() => findDelivery(access, req, ctx.values.get(callerKey)));
    return create(GetDeliveryResponseSchema, { delivery: deliveryMessage(record) });
  };
}

export const notKept = () => new ConnectError("this gateway keeps no delivery records", Code.Unimplemented);

/** A store failure is UNAVAILABLE (try again); the caller's own errors pass as they are. */
export async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ConnectError) throw err;
    throw new ConnectError("delivery records cannot be read now", Code.Unavailable, undefined, undefined, err);
  }
}
