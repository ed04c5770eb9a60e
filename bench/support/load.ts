// The load the benchmark scripts drive: Okta hook bodies with autocannon, SendOtp calls with a
// Connect client. Every send goes to a new number.
import { createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import autocannon from "autocannon";
import { Channel, OtpService } from "../../gen/otp/v1/otp_pb.js";
import { createBearerInterceptor } from "../../src/otp/client/bearer.js";
import { oktaHookBody } from "../../test/support/okta.js";
import type { GatewayProcess } from "../../test/support/process.js";
import { benchApiKey, benchOktaSecret as secret } from "./setup.js";

let phoneCounter = 0;
/**
 * A new UK mobile number for each send (+44 7400 000000 to +44 7413 999999, 14 million of
 * them), so no limit or idempotency key repeats however long a run lasts.
 */
export const nextPhone = () => `+44${7_400_000_000 + (phoneCounter++ % 14_000_000)}`;
let userCounter = 0;
/** A new Okta user id for each send, so the per-user limit counts but never binds. */
export const nextUser = () => `00u${(userCounter++).toString(36).padStart(8, "0")}`;

export interface LoadResult {
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  completed: number;
  successful: number;
}

/** Unique Okta hook bodies posted with autocannon for `seconds`. */
export async function hookLoad(
  port: number,
  connections: number,
  channel: "SMS" | "Voice",
  seconds: number,
): Promise<LoadResult> {
  let successful = 0;
  return loadResult(
    {
      url: `http://127.0.0.1:${port}/okta/telephony`,
      connections,
      duration: seconds,
      // The gateway ends a keep-alive socket after 1,000 requests (src/http/http-server.ts) and
      // answers 503 to whatever a client sends down it after that; autocannon ignores the
      // `connection: close` that says so, so it reconnects there as Okta's client would.
      reconnectRate: 1_000,
      headers: { "content-type": "application/json", authorization: secret },
      requests: [
        {
          method: "POST",
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify(
              oktaHookBody({ phoneNumber: nextPhone(), userId: nextUser(), deliveryChannel: channel }),
            ),
          }),
          onResponse: (status, body) => {
            if (status === 200 && body.includes('"SUCCESSFUL"')) successful += 1;
          },
        },
      ],
    },
    () => successful,
  );
}

async function loadResult(options: autocannon.Options, successful: () => number): Promise<LoadResult> {
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(options, (err: unknown, result) => (err ? reject(err as Error) : resolve(result)));
  });
  return {
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    completed: r.requests.total,
    successful: successful(),
  };
}

/** `concurrency` loops calling SendOtp back to back for `seconds`. */
export async function rpcLoad(transport: Transport, concurrency: number, seconds: number): Promise<LoadResult> {
  const client = createClient(OtpService, transport);
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        try {
          await client.sendOtp({ channel: Channel.SMS, phoneNumber: nextPhone(), code: "482913" });
          latencies.push(performance.now() - t);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    reqPerSec: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    non2xx: 0,
    errors,
    completed: latencies.length,
    successful: latencies.length,
  };
}

/** A client transport to the gateway: gRPC on its HTTP/2 port, Connect on its HTTP/1.1 port. */
export function benchTransport(kind: "grpc" | "connect", p: GatewayProcess): Transport {
  const interceptors = [createBearerInterceptor(benchApiKey)];
  return kind === "grpc"
    ? createGrpcTransport({ baseUrl: `http://127.0.0.1:${p.grpcPort}`, interceptors })
    : createConnectTransport({ baseUrl: `http://127.0.0.1:${p.httpPort}`, httpVersion: "1.1", interceptors });
}
