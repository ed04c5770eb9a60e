import { ROOT_CONTEXT, type SpanContext, TraceFlags, trace } from "@opentelemetry/api";
import { tracing } from "@opentelemetry/sdk-node";
import { describe, expect, it } from "vitest";
import { createBoundedSampler } from "../src/observability/trace-sampler.js";

const { SamplingDecision } = tracing;
const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

function parent(sampled: boolean, isRemote: boolean) {
  const ctx: SpanContext = {
    traceId,
    spanId: "00f067aa0ba902b7",
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote,
  };
  return trace.setSpanContext(ROOT_CONTEXT, ctx);
}

function sampler(perSecond: number) {
  const clock = { ms: 1_000 };
  const s = createBoundedSampler(perSecond, () => clock.ms);
  const decide = (ctx = ROOT_CONTEXT) => s.shouldSample(ctx).decision;
  const count = (n: number, ctx = ROOT_CONTEXT) =>
    Array.from({ length: n }, () => decide(ctx)).filter((d) => d === SamplingDecision.RECORD_AND_SAMPLED).length;
  return { clock, decide, count };
}

describe("the default sampler (every trace up to TRACES_PER_SECOND)", () => {
  it("records a second's worth at once, then one per 1/N s as the budget refills", () => {
    const { clock, decide, count } = sampler(10);
    expect(count(25)).toBe(10);
    clock.ms += 99;
    expect(decide()).toBe(SamplingDecision.NOT_RECORD);
    clock.ms += 1;
    expect(decide()).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide()).toBe(SamplingDecision.NOT_RECORD);
    // A quiet spell refills the budget, but never beyond one second's worth.
    clock.ms += 60_000;
    expect(count(25)).toBe(10);
  });

  it("over a long flood records TRACES_PER_SECOND a second, whatever the rate", () => {
    const { clock, count } = sampler(100);
    let recorded = 0;
    // 10 s at 5,000 requests a second.
    for (let ms = 0; ms < 10_000; ms++) {
      clock.ms += 1;
      recorded += count(5);
    }
    expect(recorded).toBeGreaterThanOrEqual(1_000);
    expect(recorded).toBeLessThanOrEqual(1_100);
  });

  it("keeps a trace whole: a child of our own recorded span is recorded even with the budget spent", () => {
    const { decide, count } = sampler(1);
    expect(count(5)).toBe(1);
    expect(decide(parent(true, false))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(parent(false, false))).toBe(SamplingDecision.NOT_RECORD);
  });

  it("lets a caller's sampled traceparent spend the budget, and never records one marked not sampled", () => {
    const { clock, decide } = sampler(2);
    expect(decide(parent(true, true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(parent(true, true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(parent(true, true))).toBe(SamplingDecision.NOT_RECORD);
    clock.ms += 10_000;
    expect(decide(parent(false, true))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide()).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });
});
