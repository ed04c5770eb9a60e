import { Code } from "@connectrpc/connect";
import { GatewayFailure, type SendOtpResponse } from "../../../gen/otp/v1/otp_pb.js";
import { callAsync } from "../../async-call.js";
import { gatewayError } from "../errors.js";
import { countOutcome, type Send, type SendReporting } from "./send.js";

/**
 * At most `maxInFlight` sends at the carrier at once; more are refused at once. Queuing past
 * this point would only make every caller miss its deadline; a quick refusal lets Okta fall
 * back while the gateway catches up.
 */
export function withCapacity(next: Send, maxInFlight: number, reporting: SendReporting): Send {
  let inFlight = 0;
  // One pair of handlers for every send rather than an async frame held per send through the
  // carrier's answer (bench/README.md, run Z: what a send keeps alive while it waits).
  const release = () => {
    inFlight -= 1;
    reporting.metrics?.inflightSends.dec();
  };
  const released = (res: SendOtpResponse) => {
    release();
    return res;
  };
  const releasedFailure = (err: unknown) => {
    release();
    throw err;
  };
  return (send, call) => {
    if (inFlight >= maxInFlight) {
      countOutcome(reporting, send, "overloaded");
      reporting.logger.warn({ inFlight, caller: call.caller }, "overloaded: send refused");
      return Promise.reject(
        gatewayError("the gateway is overloaded; try again shortly", Code.ResourceExhausted, GatewayFailure.OVERLOADED),
      );
    }
    inFlight += 1;
    reporting.metrics?.inflightSends.inc();
    return callAsync(next, send, call).then(released, releasedFailure);
  };
}
