import { afterAll, beforeAll } from "vitest";
import { type Fake8x8, startFake8x8 } from "./fake-8x8.js";
import { oktaSecret } from "./gateway.js";
import { type OtlpSink, startOtlpSink } from "./otlp-sink.js";
import { type GatewayProcess, spawnGateway } from "./process.js";

/** Gateway processes that export their spans (OTLP/JSON) to an in-memory sink, and the fake 8x8 they call. */
export interface TracedGateways {
  /** Set once the suite's beforeAll ran. */
  fake: Fake8x8;
  sink: OtlpSink;
  /** Every process started so far, stopped after the suite. */
  readonly processes: GatewayProcess[];
  /** A gateway started as in production (node --import telemetry), `env` over the tracing env. */
  start(env: Record<string, string>): Promise<GatewayProcess>;
}

/** Registers the suite's beforeAll/afterAll: the fake and the sink up first, everything down after. */
export function useTracedGateways(base: Record<string, string> = {}): TracedGateways {
  const processes: GatewayProcess[] = [];
  const traced = {
    processes,
    async start(env: Record<string, string>) {
      const p = await spawnGateway({
        OTEL_SDK_DISABLED: "false",
        OTEL_TRACES_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${traced.sink.url}/v1/traces`,
        OTEL_BSP_SCHEDULE_DELAY: "50",
        OKTA_AUTH_SECRET: oktaSecret,
        ...base,
        ...env,
      });
      processes.push(p);
      return p;
    },
  } as TracedGateways;
  beforeAll(async () => {
    traced.fake = await startFake8x8();
    traced.sink = await startOtlpSink();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await traced.fake?.close();
    await traced.sink?.close();
  });
  return traced;
}
