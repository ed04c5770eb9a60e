import { Code } from "@connectrpc/connect";
import { GatewayFailure } from "../../../gen/otp/v1/otp_pb.js";
import { gatewayError } from "../errors.js";
import { countOutcome, type Send, type SendReporting } from "./send.js";

/**
 * At most `maxInFlight` sends at the carrier at once; more are refused at once. Queuing past
 * this point would only make every caller miss its deadline; a quick refusal lets Okta fall
 * back while the gateway catches up.
 */
export function withCapacity(next: Send, maxInFlight: number, reporting: SendReporting): Send {
  let inFlight = 0;
  return async (send, call) => {
    if (inFlight >= maxInFlight) {
      countOutcome(reporting, send, "overloaded");
      reporting.logger.warn({ inFlight, caller: call.caller }, "overloaded: send refused");
      throw gatewayError(
        "the gateway is overloaded; try again shortly",
        Code.ResourceExhausted,
        GatewayFailure.OVERLOADED,
      );
    }
    inFlight += 1;
    reporting.metrics?.inflightSends.inc();
    try {
      return await next(send, call);
    } finally {
      inFlight -= 1;
      reporting.metrics?.inflightSends.dec();
    }
  };
}
