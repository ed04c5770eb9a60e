import { ConnectError, type Interceptor } from "@connectrpc/connect";
import type { GatewayMetrics } from "../observability/metrics.js";
import { statusCodeName } from "../observability/rpc-status.js";
import { callerKey } from "./caller.js";

/** Times each OtpService call by method, status code and caller (an API key's name). */
export function createRpcMetricsInterceptor(metrics: GatewayMetrics): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    let code = "ok";
    try {
      return await next(req);
    } catch (err) {
      code = statusCodeName(ConnectError.from(err).code);
      throw err;
    } finally {
      const caller = req.contextValues.get(callerKey);
      metrics.rpcDuration.observe({ method: req.method.name, code, caller }, (performance.now() - started) / 1000);
    }
  };
}
