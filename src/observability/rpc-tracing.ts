import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import {
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from "@opentelemetry/api";
import { ATTR_RPC_METHOD, ATTR_RPC_STATUS_CODE, ATTR_RPC_SYSTEM_NAME } from "@opentelemetry/semantic-conventions";
import { statusCodeName } from "./rpc-status.js";
import { traceContextKey } from "./trace-context.js";

// No OpenTelemetry instrumentation sees HTTP/2 or Connect's in-process transport, so these
// interceptors carry the trace across the RPC themselves (W3C traceparent in the RPC headers)
// and make the client and server spans the RPC semantic conventions describe.

const tracerName = "otp-gateway/rpc";

// The current RPC conventions: rpc.system.name, the fully qualified rpc.method
// ("otp.v1.OtpService/SendOtp") and rpc.status_code as the status's name ("OK").
function rpcAttributes(system: RpcSystem, req: { service: { typeName: string }; method: { name: string } }) {
  return { [ATTR_RPC_SYSTEM_NAME]: system, [ATTR_RPC_METHOD]: `${req.service.typeName}/${req.method.name}` };
}

const headerSetter: TextMapSetter<Headers> = {
  set: (carrier, key, value) => carrier.set(key, value),
};
const headerGetter: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => [...carrier.keys()],
};

export type RpcSystem = "connectrpc" | "grpc";

// Server spans are errors only for codes that mean the server failed (OTel RPC conventions);
// a caller's bad input is not the server's fault.
const serverErrorCodes = new Set([
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Unimplemented,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
]);

function recordOutcome(span: Span, err: unknown, isServer: boolean): void {
  if (err === undefined) {
    span.setAttribute(ATTR_RPC_STATUS_CODE, "OK");
    return;
  }
  const ce = ConnectError.from(err);
  // "INVALID_ARGUMENT": the status names gRPC and Connect share.
  span.setAttribute(ATTR_RPC_STATUS_CODE, statusCodeName(ce.code).toUpperCase());
  if (!isServer || serverErrorCodes.has(ce.code)) {
    // The message is ours and fixed (no phone number or code); the cause stays out of the span.
    span.setStatus({ code: SpanStatusCode.ERROR, message: ce.rawMessage });
  }
}

/** Runs the call, records its status on the span and ends the span either way. */
async function finishSpan<T>(span: Span, isServer: boolean, call: () => Promise<T>): Promise<T> {
  try {
    const res = await call();
    recordOutcome(span, undefined, isServer);
    return res;
  } catch (err) {
    recordOutcome(span, err, isServer);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * Client side: a CLIENT span per call, under the caller's trace (`traceContextKey` in the
 * call's context values), and that context injected into the request headers.
 */
export function createClientTracingInterceptor(system: RpcSystem): Interceptor {
  const tracer = trace.getTracer(tracerName);
  return (next) => async (req) => {
    const parent = req.contextValues.get(traceContextKey) ?? ROOT_CONTEXT;
    if (trace.getSpan(parent)?.isRecording() === false) {
      // Not sampled: no span, but the service is told so and does not start a trace of its own.
      propagation.inject(parent, req.header, headerSetter);
      return next(req);
    }
    const span = tracer.startSpan(
      `${req.service.typeName}/${req.method.name}`,
      { kind: SpanKind.CLIENT, attributes: rpcAttributes(system, req) },
      parent,
    );
    propagation.inject(trace.setSpan(parent, span), req.header, headerSetter);
    return finishSpan(span, false, () => next(req));
  };
}

/**
 * Server side: the SERVER span, under the context the call arrived with (the HTTP request's
 * span behind Fastify, the façade's in one process) or else the caller's `traceparent`; its
 * context goes into the call's values for the handler and the carrier call.
 */
export function createServerTracingInterceptor(): Interceptor {
  const tracer = trace.getTracer(tracerName);
  return (next) => async (req) => {
    const given = req.contextValues.get(traceContextKey);
    // Under a request that is not sampled: nothing to record (the handler's attributes are no-ops).
    if (given !== undefined && trace.getSpan(given)?.isRecording() === false) return next(req);
    const system: RpcSystem = (req.header.get("content-type") ?? "").startsWith("application/grpc")
      ? "grpc"
      : "connectrpc";
    const parent = given ?? propagation.extract(ROOT_CONTEXT, req.header, headerGetter);
    const span = tracer.startSpan(
      `${req.service.typeName}/${req.method.name}`,
      { kind: SpanKind.SERVER, attributes: rpcAttributes(system, req) },
      parent,
    );
    req.contextValues.set(traceContextKey, trace.setSpan(parent, span));
    return finishSpan(span, true, () => next(req));
  };
}
