import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import {
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from "@opentelemetry/api";
import { ATTR_RPC_METHOD, ATTR_RPC_STATUS_CODE, ATTR_RPC_SYSTEM_NAME } from "@opentelemetry/semantic-conventions";
import { statusCodeName } from "./rpc-status.js";

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

/** Client side: a CLIENT span per call and the trace context injected into the request headers. */
export function createClientTracingInterceptor(system: RpcSystem): Interceptor {
  const tracer = trace.getTracer(tracerName);
  return (next) => async (req) => {
    const name = `${req.service.typeName}/${req.method.name}`;
    return tracer.startActiveSpan(
      name,
      {
        kind: SpanKind.CLIENT,
        attributes: rpcAttributes(system, req),
      },
      (span) => {
        propagation.inject(context.active(), req.header, headerSetter);
        return finishSpan(span, false, () => next(req));
      },
    );
  };
}

/** Server side: continues the caller's trace from the headers and makes the SERVER span. */
export function createServerTracingInterceptor(): Interceptor {
  const tracer = trace.getTracer(tracerName);
  return (next) => async (req) => {
    const system: RpcSystem = (req.header.get("content-type") ?? "").startsWith("application/grpc")
      ? "grpc"
      : "connectrpc";
    const active = context.active();
    const extracted = propagation.extract(active, req.header, headerGetter);
    // Behind an instrumented HTTP/1.1 server the active span is already the HTTP request of this
    // same trace; nest under it rather than beside it.
    const activeSpan = trace.getSpan(active);
    const remote = trace.getSpan(extracted);
    const parent =
      activeSpan && remote && activeSpan.spanContext().traceId === remote.spanContext().traceId ? active : extracted;
    const name = `${req.service.typeName}/${req.method.name}`;
    return tracer.startActiveSpan(
      name,
      {
        kind: SpanKind.SERVER,
        attributes: rpcAttributes(system, req),
      },
      parent,
      (span) => finishSpan(span, true, () => next(req)),
    );
  };
}
