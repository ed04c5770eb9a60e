import { type ContextValues, createContextKey, createContextValues } from "@connectrpc/connect";
import { type Context, isSpanContextValid, ROOT_CONTEXT, type Span, trace } from "@opentelemetry/api";

// The gateway registers no context manager (telemetry.ts): Node 20's AsyncLocalStorage puts a
// hook on every promise of every request, which cost a tenth of the throughput at saturation
// even with no span recorded (bench/README.md). The trace travels explicitly instead: on the Fastify request
// (`req.otelContext`), in an RPC's context values, in the carrier call's options.

/** The trace context an RPC runs in: its SERVER span once the tracing interceptor made it. */
export const traceContextKey = createContextKey<Context | undefined>(undefined, { description: "trace context" });

/** An RPC's fresh context values, carrying the trace of the request that makes it, if any. */
export function rpcValuesFor(ctx: Context | null | undefined): ContextValues {
  const values = createContextValues();
  return ctx ? values.set(traceContextKey, ctx) : values;
}

/**
 * The span an RPC's work adds attributes to, if the call is recorded. A span that is not
 * (most calls under the default sampler) is left out: its attributes would be built for
 * nothing, and a record linking to it would point at a trace that was never kept.
 */
export function spanOf(values: ContextValues): Span | undefined {
  const ctx = values.get(traceContextKey);
  const span = ctx === undefined ? undefined : trace.getSpan(ctx);
  return span?.isRecording() ? span : undefined;
}

/** A context whose active span is `span`, for starting that span's children. */
export function contextWith(span: Span | undefined): Context | undefined {
  return span === undefined ? undefined : trace.setSpan(ROOT_CONTEXT, span);
}

/** A log line's trace fields; both keys always present, so every line keeps one shape. */
export interface TraceFields {
  readonly trace_id: string | undefined;
  readonly span_id: string | undefined;
}

const untraced: TraceFields = { trace_id: undefined, span_id: undefined };

/** `trace_id`/`span_id` of a recorded span (pino leaves the undefined ones out of the line). */
export function traceFields(span: Span | undefined): TraceFields {
  if (span === undefined || !span.isRecording()) return untraced;
  const ctx = span.spanContext();
  return isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : untraced;
}
