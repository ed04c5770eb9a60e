import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection as ServerReflectionV1 } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1alpha } from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { OtpService } from "../../gen/otp/v1/otp_pb.js";
import { VerifyService } from "../../gen/otp/v1/verify_pb.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { createServerTracingInterceptor } from "../observability/rpc-tracing.js";
import { rpcValuesFor } from "../observability/trace-context.js";
import { createApiKeyCheck, createApiKeyInterceptor } from "../otp/api-key-auth.js";
import { createRpcMetricsInterceptor } from "../otp/rpc-metrics.js";
import { createReflectionAnswers } from "../reflection/reflection-service.js";
import { clampDeadlineHeaders } from "./deadlines.js";
import { withGrpcWireFixes } from "./grpc-wire.js";
import { gateRpc } from "./rpc-gate.js";

export interface RpcServingOptions {
  readonly service: ServiceImpl<typeof OtpService>;
  /** VerifyService, behind the same API keys and interceptors as OtpService. */
  readonly verify: ServiceImpl<typeof VerifyService>;
  /** gRPC health, for probes: served beside OtpService, without an API key. */
  readonly health: ServiceImpl<typeof Health>;
  /** Server reflection (v1 and v1alpha) over our own schemas, when switched on. */
  readonly reflection: boolean;
  /** Network callers by name → key (OTP_API_KEYS). */
  readonly apiKeys: ReadonlyMap<string, string>;
  /** Without keys: open in the sandbox, closed when live. */
  readonly whenNoKeys: "open" | "closed";
  readonly tracing: boolean;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
}

// Connect messages for SendOtp are well under a kilobyte.
const rpcReadMaxBytes = 64 * 1024;
const servicePaths = [`/${OtpService.typeName}/`, `/${VerifyService.typeName}/`];

/** OtpService for network callers, who must present an API key, on both listeners. */
export function createRpcServing(options: RpcServingOptions) {
  const { apiKeys, whenNoKeys } = options;
  if (apiKeys.size === 0) {
    options.logger.warn(
      whenNoKeys === "open"
        ? "OTP_API_KEYS is not set: OtpService accepts unauthenticated network calls (sandbox only)"
        : "OTP_API_KEYS is not set: OtpService refuses all network calls; only the Okta hook can send",
    );
  }
  const check = createApiKeyCheck(apiKeys, whenNoKeys);
  const gate = (path: string | undefined, headers: Http2ServerRequest["headers"]) =>
    gateRpc(path, headers, servicePaths, check);
  // Per service, since a service's own interceptors replace the router's: OtpService is traced
  // and needs a key; health is for probes, which would be most of the traces and need none.
  const otpInterceptors = [
    ...(options.tracing ? [createServerTracingInterceptor()] : []),
    createApiKeyInterceptor(apiKeys, whenNoKeys),
    createRpcMetricsInterceptor(options.metrics),
  ];
  const reflect = createReflectionAnswers({
    services: [
      OtpService.typeName,
      VerifyService.typeName,
      Health.typeName,
      ServerReflectionV1.typeName,
      ServerReflectionV1alpha.typeName,
    ],
    files: [OtpService.file, VerifyService.file, Health.file, ServerReflectionV1.file, ServerReflectionV1alpha.file],
  });
  const connect = {
    routes: (router: ConnectRouter) => {
      router.service(OtpService, options.service, { interceptors: otpInterceptors });
      router.service(VerifyService, options.verify, { interceptors: otpInterceptors });
      router.service(Health, options.health);
      if (options.reflection) {
        // One handler for both packages: their messages are the same shapes under two names.
        router.service(ServerReflectionV1, { serverReflectionInfo: reflect as never });
        router.service(ServerReflectionV1alpha, { serverReflectionInfo: reflect as never });
      }
    },
    readMaxBytes: rpcReadMaxBytes,
  };
  return {
    /** Connect and gRPC-Web on the HTTP/1.1 listener. */
    async registerOn(http: FastifyInstance): Promise<void> {
      http.addHook("onRequest", (req, reply, done) => {
        clampDeadlineHeaders(req.raw.headers);
        const refusal = gate(req.url, req.raw.headers);
        if (!refusal) return done();
        reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
      });
      // The HTTP request's span (http-tracing.ts) is the parent of the RPC's.
      const contextValues = (req: FastifyRequest) => rpcValuesFor(req.otelContext);
      await http.register(fastifyConnectPlugin, options.tracing ? { ...connect, contextValues } : connect);
    },
    /** gRPC, Connect and gRPC-Web on the cleartext HTTP/2 listener. */
    h2Handler: withGrpcWireFixes(connectNodeAdapter(connect), gate) as (
      req: Http2ServerRequest,
      res: Http2ServerResponse,
    ) => void,
  };
}
