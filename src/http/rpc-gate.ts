import type { IncomingHttpHeaders } from "node:http";
import type { ApiKeyVerdict } from "../otp/api-key-auth.js";
import { specEncode } from "./grpc-message-encoding.js";

export type ApiKeyCheck = (authorization: string | undefined) => ApiKeyVerdict;

/** An answer to write instead of running the RPC. */
export interface RpcRefusal {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Checks the API key of an RPC before Connect reads its body, so a caller without one gets
 * Unauthenticated, never a parse error of a body nobody should have read. Connect's interceptor
 * checks again and names the caller; this only stops strangers early. Returns the refusal to
 * write, in the caller's protocol, or undefined when the request may go on.
 */
export function gateRpc(
  path: string | undefined,
  headers: IncomingHttpHeaders,
  servicePaths: readonly string[],
  check: ApiKeyCheck,
): RpcRefusal | undefined {
  if (path === undefined || !servicePaths.some((p) => path.startsWith(p))) return undefined;
  const verdict = check(headers.authorization);
  if (verdict.refusal === undefined) return undefined;
  const contentType = String(headers["content-type"] ?? "");
  if (contentType.startsWith("application/grpc")) {
    // Trailers-only: the status travels in the headers, as gRPC and gRPC-Web both allow.
    const type = contentType.startsWith("application/grpc-web") ? "application/grpc-web+proto" : "application/grpc";
    const grpcHeaders = { "content-type": type, "grpc-status": "16", "grpc-message": specEncode(verdict.refusal) };
    return { status: 200, headers: grpcHeaders, body: "" };
  }
  const body = JSON.stringify({ code: "unauthenticated", message: verdict.refusal });
  return { status: 401, headers: { "content-type": "application/json" }, body };
}
