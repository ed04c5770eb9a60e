import { Writable } from "node:stream";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { Logger } from "pino";
import { afterAll, afterEach, beforeAll } from "vitest";
import { OtpService } from "../../gen/otp/v1/otp_pb.js";
import type { Carrier } from "../../src/carrier/carrier.js";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/logger.js";
import { createBearerInterceptor } from "../../src/otp/client/bearer.js";
import { type RunningGateway, startGateway } from "../../src/server.js";
import { type Fake8x8, startFake8x8 } from "./fake-8x8.js";

export const oktaSecret = "okta-test-hook-Qw7Lp2Xv9Rk4";
/** The API key network RPC callers use in tests (caller name "test-client"). */
export const rpcApiKey = "test-rpc-api-key-0123456789";
export const facadeApiKey = "test-facade-api-key-01234567";

export interface TestGateway {
  readonly httpUrl: string;
  readonly grpcUrl: string;
  /** Every log line the gateway wrote, raw JSON text. */
  readonly logs: string[];
  readonly running: RunningGateway;
  close(): Promise<void>;
}

/** Environment for a gateway that sends through the fake 8x8. */
export function fakeCarrierEnv(fake: Fake8x8): Record<string, string> {
  return {
    EIGHTBYEIGHT_API_KEY: fake.apiKey,
    EIGHTBYEIGHT_SUBACCOUNT_ID: "acme_hq",
    EIGHTBYEIGHT_SMS_URL: fake.url,
    EIGHTBYEIGHT_SMS_SOURCE: "AcmeCorp",
    EIGHTBYEIGHT_VOICE_URL: fake.url,
    EIGHTBYEIGHT_VOICE_SUBACCOUNT_ID: "acme_voice",
    EIGHTBYEIGHT_VOICE_SOURCE: "+6531580000",
    OTP_API_KEYS: `test-client:${rpcApiKey},facade:${facadeApiKey}`,
    // Tests send many codes to one number; limits are switched on where they are tested.
    RATE_LIMIT_PER_PHONE: "off",
    RATE_LIMIT_PER_PHONE_ENROLLMENT: "off",
    RATE_LIMIT_PER_USER: "off",
    RATE_LIMIT_PER_COUNTRY: "off",
    RATE_LIMIT_GLOBAL: "off",
    RATE_LIMIT_PER_PREFIX: "off",
  };
}

/** Starts a real gateway in this process on free ports, its logs captured. */
export async function startTestGateway(
  env: Record<string, string>,
  options: {
    carrier?: Carrier;
    now?: () => number;
    /** How often receipt deadlines are swept. */
    sweepEveryMs?: number;
    /** The test's own logger instead of the captured one; `logs` then stays empty. */
    logger?: Logger;
  } = {},
): Promise<TestGateway> {
  const config = loadConfig({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    HTTP_PORT: "0",
    GRPC_PORT: "0",
    OKTA_AUTH_SECRET: oktaSecret,
    LOG_LEVEL: "debug",
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(
        ...chunk
          .toString("utf8")
          .split("\n")
          .filter((l) => l !== ""),
      );
      done();
    },
  });
  const logger = options.logger ?? createLogger(config.logLevel, config.okta.authHeader, sink);
  const running = await startGateway({
    config,
    logger,
    ...(options.carrier ? { carrier: options.carrier } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.sweepEveryMs ? { sweepEveryMs: options.sweepEveryMs } : {}),
  });
  return {
    httpUrl: `http://127.0.0.1:${running.httpPort}`,
    grpcUrl: `http://127.0.0.1:${running.grpcPort ?? 0}`,
    logs,
    running,
    close: () => running.close(),
  };
}

/**
 * For a test file: one fake 8x8 for all its tests (reset after each) and gateways started on
 * demand against it, all closed at the end.
 */
export function useFakeCarrier() {
  let fake: Fake8x8 | undefined;
  const gateways: TestGateway[] = [];
  beforeAll(async () => {
    fake = await startFake8x8();
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await fake?.close();
  });
  afterEach(() => fake?.reset());
  return {
    get fake(): Fake8x8 {
      return fake!;
    },
    async gateway(
      env: Record<string, string> = {},
      options: { now?: () => number; sweepEveryMs?: number } = {},
    ): Promise<TestGateway> {
      const gw = await startTestGateway({ ...fakeCarrierEnv(fake!), ...env }, options);
      gateways.push(gw);
      return gw;
    },
  };
}

/** A Connect client (HTTP/1.1) to a test gateway's OtpService, with an API key. */
export function rpcClient(gw: TestGateway, apiKey = rpcApiKey): Client<typeof OtpService> {
  return createClient(
    OtpService,
    createConnectTransport({
      baseUrl: gw.httpUrl,
      httpVersion: "1.1",
      interceptors: [createBearerInterceptor(apiKey)],
    }),
  );
}
