import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  require_src
} from "./chunk-DBBQA72X.js";
import {
  TraceFlags,
  init_esm,
  isSpanContextValid,
  trace
} from "./chunk-HHU7YVDQ.js";
import "./chunk-7AVYRONE.js";
import {
  __toESM
} from "./chunk-ALWFP5YV.js";

// src/observability/trace-sampler.ts
init_esm();
var import_sdk_node = __toESM(require_src(), 1);
function createBoundedSampler(perSecond, now = performance.now.bind(performance)) {
  const { SamplingDecision } = import_sdk_node.tracing;
  const capacity = Math.max(1, perSecond);
  const perMs = perSecond / 1e3;
  let tokens = capacity;
  let last = now();
  const take = () => {
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
    shouldSample(parentContext) {
      const parent = trace.getSpanContext(parentContext);
      if (parent !== void 0 && isSpanContextValid(parent)) {
        const parentSampled = (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
        if (!parentSampled) return dropped;
        if (!parent.isRemote) return sampled;
      }
      return take() ? sampled : dropped;
    },
    toString: () => `BoundedSampler{${perSecond} traces/s}`
  };
}
export {
  createBoundedSampler
};
//# sourceMappingURL=trace-sampler-TTSTYTOJ.js.map
