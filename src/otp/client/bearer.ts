import type { Interceptor } from "@connectrpc/connect";

/** Client side: sends the façade's own API key to a remote OtpService. */
export function createBearerInterceptor(apiKey: string): Interceptor {
  return (next) => async (req) => {
    req.header.set("authorization", `Bearer ${apiKey}`);
    return next(req);
  };
}
