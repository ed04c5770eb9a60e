import { createClient, createRouterTransport, type Client, type ConnectRouter, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { OtpService } from "../../gen/otp/v1/otp_pb.js";
import { createClientTracingInterceptor, createServerTracingInterceptor } from "../observability/rpc-tracing.js";

export type OtpClient = Client<typeof OtpService>;

export type OtpClientTarget =
  | {
      readonly kind: "in-process";
      readonly routes: (router: ConnectRouter) => void;
      /** Run after the tracing interceptor, as a network listener's would. */
      readonly serverInterceptors?: Interceptor[];
    }
  | { readonly kind: "remote"; readonly url: string; readonly protocol: "connect" | "grpc" | "grpc-web" };

/**
 * The façade's OtpService client. In one process the call goes through Connect's router
 * transport, so it runs the same interceptors (and makes the same spans) as a network call
 * without serialising to a socket; with a URL it goes over the network.
 */
export function createOtpClient(target: OtpClientTarget, extraInterceptors: Interceptor[] = []): OtpClient {
  return createClient(OtpService, createOtpTransport(target, extraInterceptors));
}

function createOtpTransport(target: OtpClientTarget, extraInterceptors: Interceptor[]): Transport {
  if (target.kind === "in-process") {
    return createRouterTransport(target.routes, {
      transport: { interceptors: [createClientTracingInterceptor("connect_rpc"), ...extraInterceptors] },
      router: { interceptors: [createServerTracingInterceptor(), ...(target.serverInterceptors ?? [])] },
    });
  }
  const http2 = target.url.startsWith("https:");
  switch (target.protocol) {
    case "grpc":
      return createGrpcTransport({
        baseUrl: target.url,
        interceptors: [createClientTracingInterceptor("grpc"), ...extraInterceptors],
      });
    case "grpc-web":
      return createGrpcWebTransport({
        baseUrl: target.url,
        httpVersion: "1.1",
        interceptors: [createClientTracingInterceptor("grpc"), ...extraInterceptors],
      });
    case "connect":
      return createConnectTransport({
        baseUrl: target.url,
        ...(http2 ? { httpVersion: "2" as const } : { httpVersion: "1.1" as const }),
        interceptors: [createClientTracingInterceptor("connect_rpc"), ...extraInterceptors],
      });
  }
}
