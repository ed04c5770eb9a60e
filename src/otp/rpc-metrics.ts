import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { GatewayMetrics } from "../observability/metrics.js";
import { callerKey } from "./caller.js";

const codeNames = new Map<Code, string>();
const codeName = (code: Code) => {
  let name = codeNames.get(code);
  if (name === undefined) {
    name = Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
    codeNames.set(code, name);
  }
  return name;
};

/** Times each OtpService call by method, status code and caller (an API key's name). */
export function createRpcMetricsInterceptor(metrics: GatewayMetrics): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    let code = "ok";
    try {
      return await next(req);
    } catch (err) {
      code = codeName(ConnectError.from(err).code);
      throw err;
    } finally {
      const caller = req.contextValues.get(callerKey);
      metrics.rpcDuration.observe({ method: req.method.name, code, caller }, (performance.now() - started) / 1000);
    }
  };
}
