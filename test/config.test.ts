import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config/index.js";

const live = {
  EIGHTBYEIGHT_API_KEY: "key",
  EIGHTBYEIGHT_SUBACCOUNT_ID: "acme_hq",
  OKTA_AUTH_SECRET: "0123456789abcdef",
};

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("runs on the sandbox carrier with a generated hook secret when nothing is set", () => {
    const config = loadConfig({});
    expect(config.carrier).toEqual({ mode: "sandbox" });
    expect(config.okta.authSecretGenerated).toBe(true);
    expect(config.okta.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.okta.authHeader).toBe("authorization");
    expect(config.okta.hookBudgetMs).toBe(2500);
    expect(config.httpPort).toBe(8080);
    expect(config.grpcPort).toBe(8081);
    expect(config.role).toBe("all");
  });

  it("builds the live 8x8 carrier with documented defaults", () => {
    const config = loadConfig({
      ...live,
      EIGHTBYEIGHT_VOICE_SOURCE: "+6531580000",
      EIGHTBYEIGHT_VOICE_PROFILE: "en-US-Neural2-C",
    });
    expect(config.carrier).toEqual({
      mode: "8x8",
      apiKey: "key",
      sms: { baseUrl: "https://sms.8x8.com", subaccountId: "acme_hq" },
      voice: {
        baseUrl: "https://voice.8x8.com",
        subaccountId: "acme_hq",
        source: "+6531580000",
        profileOverride: "en-US-Neural2-C",
        profilesRefreshMs: 21_600_000,
      },
    });
    expect(config.okta.authSecretGenerated).toBe(false);
  });

  it("leaves voice off when no caller id is configured", () => {
    const config = loadConfig(live);
    expect(config.carrier.mode === "8x8" && config.carrier.voice).toBeUndefined();
  });

  it("refuses the sandbox in production", () => {
    expect(problems({ NODE_ENV: "production", OKTA_AUTH_SECRET: "0123456789abcdef" })).toEqual([
      "EIGHTBYEIGHT_API_KEY: required when NODE_ENV=production; the sandbox carrier delivers nothing and refuses to run in production",
    ]);
  });

  it("requires an Okta secret in live mode", () => {
    expect(problems({ ...live, OKTA_AUTH_SECRET: "" })).toEqual([
      "OKTA_AUTH_SECRET: required outside the sandbox (at least 16 characters)",
    ]);
  });

  it("lists every problem at once", () => {
    const found = problems({
      HTTP_PORT: "http",
      OKTA_HOOK_BUDGET_MS: "3000",
      OKTA_AUTH_SECRET: "short",
      DEFAULT_PHONE_REGION: "XX",
      EIGHTBYEIGHT_SMS_URL: "ftp://sms",
      EIGHTBYEIGHT_SUBACCOUNT_ID: "a/b",
    });
    expect(found).toHaveLength(6);
    expect(found.join("\n")).toMatch(/HTTP_PORT/);
    expect(found.join("\n")).toMatch(/OKTA_HOOK_BUDGET_MS: must stay under Okta's 3000 ms timeout/);
    expect(found.join("\n")).toMatch(/DEFAULT_PHONE_REGION/);
  });

  it("needs a subaccount with an API key, and never echoes the key", () => {
    const found = problems({ EIGHTBYEIGHT_API_KEY: "live-8x8-key-Kq93XvLp", OKTA_AUTH_SECRET: "0123456789abcdef" });
    expect(found).toEqual(["EIGHTBYEIGHT_SUBACCOUNT_ID: required with EIGHTBYEIGHT_API_KEY"]);
    expect(found.join()).not.toContain("Kq93XvLp");
  });

  it("makes a façade of a process with OTP_SERVICE_URL, which then needs no carrier", () => {
    const config = loadConfig({
      OTP_SERVICE_URL: "http://otp:8081/",
      OTP_SERVICE_PROTOCOL: "grpc",
      OKTA_AUTH_SECRET: "0123456789abcdef",
      NODE_ENV: "production",
    });
    expect(config.role).toBe("facade");
    expect(config.otpService).toEqual({ url: "http://otp:8081", protocol: "grpc" });
    expect(problems({ OTP_SERVICE_URL: "http://otp:8081" })).toEqual([
      "OKTA_AUTH_SECRET: required outside the sandbox (at least 16 characters)",
    ]);
  });

  it("lets a service-only deployment run without an Okta secret", () => {
    const config = loadConfig({
      ...live,
      OKTA_AUTH_SECRET: "",
      GATEWAY_ROLE: "service",
      OTP_API_KEYS: "billing:0123456789abcdef",
    });
    expect(config.role).toBe("service");
    expect([...config.apiKeys]).toEqual([["billing", "0123456789abcdef"]]);
  });

  it("requires API keys for a live service-only deployment and checks their shape", () => {
    expect(problems({ ...live, GATEWAY_ROLE: "service" })).toEqual([
      "OTP_API_KEYS: required for GATEWAY_ROLE=service with a live carrier (name:key,…)",
    ]);
    expect(problems({ OTP_API_KEYS: "billing:short" })).toEqual([
      "OTP_API_KEYS: each entry must be name:key with a key of at least 16 characters",
    ]);
    expect(problems({ OTP_API_KEYS: "a:0123456789abcdef,a:fedcba9876543210" })).toEqual([
      "OTP_API_KEYS: caller name a is listed twice",
    ]);
  });

  it("needs the issuer, audience, client id and scope in OAuth mode, and derives the JWKS URL", () => {
    expect(problems({ ...live, OKTA_AUTH_SECRET: "", OKTA_AUTH_MODE: "oauth" })).toEqual([
      "OKTA_OAUTH_ISSUER: required when OKTA_AUTH_MODE=oauth",
      "OKTA_OAUTH_AUDIENCE: required when OKTA_AUTH_MODE=oauth",
      "OKTA_OAUTH_CLIENT_ID: required when OKTA_AUTH_MODE=oauth",
      "OKTA_OAUTH_SCOPE: required when OKTA_AUTH_MODE=oauth",
    ]);
    const config = loadConfig({
      ...live,
      OKTA_AUTH_SECRET: "",
      OKTA_AUTH_MODE: "oauth",
      OKTA_OAUTH_ISSUER: "https://acme.okta.com/oauth2/aus1/",
      OKTA_OAUTH_AUDIENCE: "api://otp",
      OKTA_OAUTH_CLIENT_ID: "0oa1",
      OKTA_OAUTH_SCOPE: "okta.telephony.hook",
    });
    expect(config.okta.oauth?.jwksUrl).toBe("https://acme.okta.com/oauth2/aus1/v1/keys");
  });
});

describe("loadConfig: mistakes an operator makes", () => {
  it("warns about a misspelled variable, with the name it probably meant", () => {
    const config = loadConfig({
      EIGHTBYEIGHT_APIKEY: "k",
      OKTA_HOOK_BUDGET: "2000",
      HTTP_PROXY: "http://proxy:3128",
      TRACE_PER_SECOND: "10",
      TRACEPARENT: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    });
    expect(config.warnings).toEqual([
      "EIGHTBYEIGHT_APIKEY: not a variable the gateway reads; did you mean EIGHTBYEIGHT_API_KEY?",
      "OKTA_HOOK_BUDGET: not a variable the gateway reads; did you mean OKTA_HOOK_BUDGET_MS?",
      "TRACE_PER_SECOND: not a variable the gateway reads; did you mean TRACES_PER_SECOND?",
    ]);
  });

  it("leaves gRPC's own settings alone, though they share the GRPC_ prefix", () => {
    const grpc = {
      GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: "/etc/ssl/certs/ca-certificates.crt",
      GRPC_VERBOSITY: "ERROR",
      GRPC_NODE_TRACE: "channel",
    };
    expect(loadConfig({ ...live, NODE_ENV: "production", ...grpc }).warnings).toEqual([]);
    expect(problems({ ...live, NODE_ENV: "production", GRPC_PROT: "9090" })).toEqual([
      "GRPC_PROT: not a variable the gateway reads; did you mean GRPC_PORT?",
    ]);
  });

  it("refuses an unknown variable of ours in production", () => {
    expect(problems({ ...live, NODE_ENV: "production", OTP_SMS_TEMPLAT: "x {code}" })).toEqual([
      "OTP_SMS_TEMPLAT: not a variable the gateway reads; did you mean OTP_SMS_TEMPLATE?",
    ]);
  });

  it("says what is wrong in its own words, with the value unless it is a secret", () => {
    expect(problems({ HTTP_PORT: "abc" })).toEqual([
      'HTTP_PORT: must be a port number (1–65535, or 0 for any free port), got "abc"',
    ]);
    expect(problems({ LOG_LEVEL: "loud" })).toEqual([
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]);
    expect(problems({ CIRCUIT_COOLDOWN_MS: "5" })).toEqual([
      'CIRCUIT_COOLDOWN_MS: must be a whole number from 100 to 600000, got "5"',
    ]);
    expect(problems({ TRACES_PER_SECOND: "0" })).toEqual([
      'TRACES_PER_SECOND: must be a whole number from 1 to 100000, got "0"',
    ]);
    const secretProblem = problems({ OKTA_AUTH_SECRET: "short" }).join();
    expect(secretProblem).toMatch(/^OKTA_AUTH_SECRET: must be at least 16 characters$/);
  });

  it("reads levels and modes in any case", () => {
    const config = loadConfig({ LOG_LEVEL: "INFO", GATEWAY_ROLE: "All", RATE_LIMIT_FAIL_MODE: "Closed" });
    expect([config.logLevel, config.role, config.rateLimitFailOpen]).toEqual(["info", "all", false]);
  });

  it("refuses one port for both listeners", () => {
    expect(problems({ HTTP_PORT: "9000", GRPC_PORT: "9000" })).toEqual([
      "GRPC_PORT: must differ from HTTP_PORT (both are 9000): the listeners cannot share a port",
    ]);
  });

  it.each([
    ["a template value", "REPLACE_WITH_32_RANDOM_CHARACTERS", 'looks like a placeholder (it contains "REPLACE")'],
    ["changeme", "please-changeme-now-9", 'looks like a placeholder (it contains "change")'],
    ["an example", "example-okta-hook-key", 'looks like a placeholder (it contains "example")'],
    ["x's", "okta-xxxx-xxxx-xxxx-1", 'looks like a placeholder (it contains "xxxx")'],
    ["a repeated character", "aaaaaaaaaaaaaaaaaaaa", "repeats one character four or more times in a row"],
    ["a guessable one", "abcdefghijklmnop", "is too easy to guess (about 75 bits; at least 80 are needed)"],
  ])("refuses %s as a secret, saying how to make a real one, never echoing it", (_name, value, why) => {
    const found = problems({ ...live, OKTA_AUTH_SECRET: value });
    expect(found).toEqual([`OKTA_AUTH_SECRET: ${why}; make a real one with \`openssl rand -base64 32\``]);
    expect(problems({ ...live, OTP_API_KEYS: `billing:${value}` })).toEqual([
      `OTP_API_KEYS (billing): ${why}; make a real one with \`openssl rand -base64 32\``,
    ]);
  });

  it("accepts what openssl rand makes", () => {
    expect(() =>
      loadConfig({ ...live, OKTA_AUTH_SECRET: "q3Vf9J0yqz8m1c5l2n4R7tXbYw6kE8aQpLsD0uHvGiM=" }),
    ).not.toThrow();
  });
});

describe("loadConfig: production refuses what only a test bench should do", () => {
  const prod = { ...live, NODE_ENV: "production" };
  it.each(["OKTA_OAUTH_ISSUER", "OKTA_OAUTH_JWKS_URL", "EIGHTBYEIGHT_SMS_URL", "EIGHTBYEIGHT_VOICE_URL"])(
    "refuses a plain-http %s except to this machine",
    (name) => {
      expect(problems({ ...prod, [name]: "http://sms.example.net" })).toEqual([
        `${name}: must be an https:// URL in production (http:// only to this machine), got "http://sms.example.net"`,
      ]);
      expect(() => loadConfig({ ...prod, [name]: "http://127.0.0.1:9000" })).not.toThrow();
    },
  );

  it("keeps the name okta-hook for the in-process hook", () => {
    expect(problems({ OTP_API_KEYS: "okta-hook:Kq93XvLp2mW7tR4y" })).toEqual([
      "OTP_API_KEYS: caller name okta-hook is the in-process Okta hook's; pick another",
    ]);
  });
});

describe("delivery receipts configuration", () => {
  const secret = "Bearer Zq8Lm2Xc7Rv4Kp9Tn3Wd";
  it("turns the webhooks on with a secret, off (with the reason) without one when live, open in the sandbox", () => {
    expect(loadConfig({ ...live, EIGHTBYEIGHT_WEBHOOK_SECRET: secret }).webhooks).toMatchObject({
      enabled: true,
      secret,
    });
    expect(loadConfig(live).webhooks).toMatchObject({
      enabled: false,
      notice: expect.stringContaining("answer 404"),
    });
    expect(loadConfig({}).webhooks).toMatchObject({ enabled: true, secret: undefined });
  });

  it("refuses a placeholder secret, bad CIDR blocks, unknown admin names and a bad timeout", () => {
    expect(problems({ ...live, EIGHTBYEIGHT_WEBHOOK_SECRET: "changeme-changeme-changeme" }).join()).toContain(
      "EIGHTBYEIGHT_WEBHOOK_SECRET: looks like a placeholder",
    );
    expect(problems({ ...live, OTP_API_KEYS: "billing:0123456789abcdefXYZ", OTP_ADMIN_KEYS: "sre" }).join()).toContain(
      "OTP_ADMIN_KEYS: sre is not a caller name of OTP_API_KEYS",
    );
    const found = problems({
      ...live,
      EIGHTBYEIGHT_WEBHOOK_ALLOWED_IPS: "10.0.0.0/8,300.1.1.1,10.0.0.0/40",
      DELIVERY_RECEIPT_TIMEOUT_MS: "fax:1000",
      TRUST_PROXY: "somewhere",
    }).join("\n");
    expect(found).toContain("300.1.1.1 is not an IP address or CIDR block");
    expect(found).toContain("10.0.0.0/40 is not an IP address or CIDR block");
    expect(found).toContain("DELIVERY_RECEIPT_TIMEOUT_MS");
    expect(found).toContain("TRUST_PROXY");
  });

  it("reads receipt timeouts per channel or for both", () => {
    expect(loadConfig({}).deliveries.receiptTimeoutMs).toEqual({ sms: 600_000, voice: 300_000 });
    expect(loadConfig({ DELIVERY_RECEIPT_TIMEOUT_MS: "120000" }).deliveries.receiptTimeoutMs).toEqual({
      sms: 120_000,
      voice: 120_000,
    });
    expect(loadConfig({ DELIVERY_RECEIPT_TIMEOUT_MS: "voice:60000" }).deliveries.receiptTimeoutMs).toEqual({
      sms: 600_000,
      voice: 60_000,
    });
  });

  it("with PUBLIC_BASE_URL, SMS sends name their receipt URL carrying the secret; without the secret it is refused", () => {
    const config = loadConfig({
      ...live,
      PUBLIC_BASE_URL: "https://otp.example.com/",
      EIGHTBYEIGHT_WEBHOOK_SECRET: secret,
    });
    const sms = (config.carrier as { sms: { dlrCallbackUrl?: string } }).sms;
    const url = new URL(sms.dlrCallbackUrl!);
    expect(`${url.origin}${url.pathname}`).toBe("https://otp.example.com/webhooks/8x8/sms");
    expect(decodeURIComponent(url.password)).toBe(secret);
    expect(problems({ ...live, PUBLIC_BASE_URL: "https://otp.example.com" }).join()).toContain(
      "PUBLIC_BASE_URL: receipts sent there need EIGHTBYEIGHT_WEBHOOK_SECRET",
    );
    expect(
      problems({
        ...live,
        NODE_ENV: "production",
        PUBLIC_BASE_URL: "http://otp.example.com",
        EIGHTBYEIGHT_WEBHOOK_SECRET: secret,
      }).join(),
    ).toContain("PUBLIC_BASE_URL: must be an https:// URL in production");
  });

  it("reads TRUST_PROXY as off, on, a hop count or addresses", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "on" }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8, 127.0.0.1" }).trustProxy).toEqual(["10.0.0.0/8", "127.0.0.1"]);
  });
});
