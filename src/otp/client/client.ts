import { type Client, createClient, type Interceptor, type ServiceImpl, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { OtpService } from "../../../gen/otp/v1/otp_pb.js";
import {
  createClientTracingInterceptor,
  createServerTracingInterceptor,
  type RpcSystem,
} from "../../observability/rpc-tracing.js";
import { createInProcessTransport } from "./in-process-transport.js";

export type OtpClient = Client<typeof OtpService>;

export type OtpClientTarget = (
  | {
      readonly kind: "in-process";
      readonly impl: ServiceImpl<typeof OtpService>;
      /** Run after the tracing interceptor, as a network listener's would. */
      readonly serverInterceptors?: Interceptor[];
    }
  | { readonly kind: "remote"; readonly url: string; readonly protocol: "connect" | "grpc" | "grpc-web" }
) & {
  /** Make RPC spans and propagate the trace; true unless said otherwise. */
  readonly tracing?: boolean;
};

/**
 * The façade's OtpService client. In one process the call goes straight to the service
 * implementation through the server interceptors (the RPC server span, the caller name);
 * with a URL it goes over the network with client spans and trace propagation.
 */
export function createOtpClient(target: OtpClientTarget, extraInterceptors: Interceptor[] = []): OtpClient {
  return createClient(OtpService, createOtpTransport(target, extraInterceptors));
}

function createOtpTransport(target: OtpClientTarget, extraInterceptors: Interceptor[]): Transport {
  const tracing = target.tracing ?? true;
  const clientSpans = (system: RpcSystem) => (tracing ? [createClientTracingInterceptor(system)] : []);
  if (target.kind === "in-process") {
    return createInProcessTransport({
      service: OtpService,
      impl: target.impl,
      // No client span in one process: there is no hop for it to time, and it was tracing's
      // largest cost on the hook (bench/README.md). The server span carries the RPC.
      // extraInterceptors are for network callers (the remote API key) and have nothing to do here.
      serverInterceptors: [
        ...(tracing ? [createServerTracingInterceptor()] : []),
        ...(target.serverInterceptors ?? []),
      ],
    });
  }
  const http2 = target.url.startsWith("https:");
  switch (target.protocol) {
    case "grpc":
      return createGrpcTransport({
        baseUrl: target.url,
        interceptors: [...clientSpans("grpc"), ...extraInterceptors],
      });
    case "grpc-web":
      return createGrpcWebTransport({
        baseUrl: target.url,
        httpVersion: "1.1",
        interceptors: [...clientSpans("grpc"), ...extraInterceptors],
      });
    case "connect":
      return createConnectTransport({
        baseUrl: target.url,
        httpVersion: http2 ? "2" : "1.1",
        interceptors: [...clientSpans("connectrpc"), ...extraInterceptors],
      });
  }
}
