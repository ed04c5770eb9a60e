import { type Context, isSpanContextValid, TraceFlags, trace } from "@opentelemetry/api";
import { tracing } from "@opentelemetry/sdk-node";

/**
 * The gateway's default head sampler: every trace while at most `perSecond` start each second,
 * then no more until the budget refills (a token bucket holding one second's worth).
 *
 * An OTP gateway runs far below that most of the time, so SREs get every trace; under a flood
 * (SMS pumping, a sign-in storm, a load test) recording every span would cost about a quarter
 * of the throughput (bench/README.md) exactly when it is needed most. A child of one of our own spans
 * follows its parent, so traces stay whole; a caller's `traceparent` marked sampled spends the
 * budget too, as the tracing interceptor runs before the API key check and anyone could set it;
 * one marked not sampled is not recorded. `OTEL_TRACES_SAMPLER` replaces this sampler.
 */
export function createBoundedSampler(perSecond: number, now: () => number = performance.now.bind(performance)) {
  const { SamplingDecision } = tracing;
  const capacity = Math.max(1, perSecond);
  const perMs = perSecond / 1000;
  let tokens = capacity;
  let last = now();
  const take = (): boolean => {
    const t = now();
    tokens = Math.min(capacity, tokens + (t - last) * perMs);
    last = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  const sampled = { decision: SamplingDecision.RECORD_AND_SAMPLED };
  const dropped = { decision: SamplingDecision.NOT_RECORD };
  return {
    shouldSample(parentContext: Context): tracing.SamplingResult {
      const parent = trace.getSpanContext(parentContext);
      if (parent !== undefined && isSpanContextValid(parent)) {
        const parentSampled = (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
        if (!parentSampled) return dropped;
        if (!parent.isRemote) return sampled;
      }
      return take() ? sampled : dropped;
    },
    toString: () => `BoundedSampler{${perSecond} traces/s}`,
  };
}
