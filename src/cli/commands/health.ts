import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "../../../gen/grpc/health/v1/health_pb.js";
import { output, readArgs } from "../args.js";

export const usage = `otp-gateway health [--url http://localhost:8080] [--grpc-url http://localhost:8081] [--json]
  Asks /readyz and the gRPC health service; exits 0 only when both say the gateway is ready.`;

/** `health`: what a load balancer and a Kubernetes probe would see. */
export async function health(argv: string[]): Promise<number> {
  const { values } = readArgs(argv, {
    url: { type: "string", default: "http://localhost:8080" },
    "grpc-url": { type: "string", default: "http://localhost:8081" },
  });
  const readyz = await fetch(`${String(values.url).replace(/\/+$/, "")}/readyz`, { signal: AbortSignal.timeout(3_000) })
    .then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }))
    .catch((err: unknown) => ({ status: 0, body: { error: (err as Error).message } }));
  const client = createClient(Health, createGrpcTransport({ baseUrl: String(values["grpc-url"]) }));
  const grpc = await client
    .check({ service: "" }, { timeoutMs: 3_000 })
    .then((r) => HealthCheckResponse_ServingStatus[r.status])
    .catch((err: unknown) => `unreachable (${(err as Error).message})`);
  const ready = readyz.status === 200 && grpc === "SERVING";
  output(values.json === true, { ready, readyz, grpc }, [
    `readyz: ${readyz.status === 0 ? "unreachable" : readyz.status} ${JSON.stringify(readyz.body)}`,
    `grpc.health.v1: ${grpc}`,
  ]);
  return ready ? 0 : 1;
}
