import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOAuthAuthenticator } from "../../src/okta/oauth-auth.js";
import { type Fake8x8, startFake8x8 } from "../support/fake-8x8.js";
import { fakeCarrierEnv, startTestGateway, type TestGateway } from "../support/gateway.js";
import { oktaHookBody, postHook } from "../support/okta.js";
import { spawnGateway } from "../support/process.js";

// A local stand-in for an Okta custom authorization server's key endpoint, and tokens signed
// for real with RSA keys made here.

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

async function newKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  return { kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

let jwksServer: Server;
let jwksUrl: string;
let issuer: string;
let published: SigningKey[] = [];
let jwksFetches = 0;
let fake: Fake8x8;
let gw: TestGateway;
let key: SigningKey;

const audience = "api://otp-gateway";
const clientId = "0oaHOOKCLIENT123";
const scope = "okta.telephony.hook";

async function token(
  overrides: {
    iss?: string;
    aud?: string;
    cid?: string;
    scp?: string[];
    exp?: number;
    nbf?: number;
    signWith?: SigningKey;
  } = {},
): Promise<string> {
  const signer = overrides.signWith ?? key;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ cid: overrides.cid ?? clientId, scp: overrides.scp ?? [scope], ver: 1, sub: clientId })
    .setProtectedHeader({ alg: "RS256", kid: signer.kid, typ: "JWT" })
    .setIssuer(overrides.iss ?? issuer)
    .setAudience(overrides.aud ?? audience)
    .setIssuedAt(now - 10)
    .setNotBefore(overrides.nbf ?? now - 10)
    .setExpirationTime(overrides.exp ?? now + 3600)
    .setJti(`jti-${Math.random()}`)
    .sign(signer.privateKey);
}

const b64url = (v: object | string) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

beforeAll(async () => {
  key = await newKey("key-1");
  published = [key];
  jwksServer = createServer((_req, res) => {
    jwksFetches += 1;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
  issuer = `${base}/oauth2/default`;
  jwksUrl = `${issuer}/v1/keys`;
  fake = await startFake8x8();
  gw = await startTestGateway(oauthEnv());
});
const oauthEnv = () => ({
  ...fakeCarrierEnv(fake),
  OKTA_AUTH_MODE: "oauth",
  OKTA_AUTH_SECRET: "",
  OKTA_OAUTH_ISSUER: issuer,
  OKTA_OAUTH_AUDIENCE: audience,
  OKTA_OAUTH_CLIENT_ID: clientId,
  OKTA_OAUTH_SCOPE: scope,
});
afterAll(async () => {
  await gw?.close();
  await fake?.close();
  await new Promise((r) => jwksServer?.close(r));
});
afterEach(() => {
  fake.requests.length = 0;
});

describe("Okta hook with OAuth 2.0 access tokens (OKTA_AUTH_MODE=oauth)", () => {
  it("accepts a valid RS256 token from the issuer's keys (default JWKS path {issuer}/v1/keys)", async () => {
    const res = await postHook(gw.httpUrl, oktaHookBody(), { authorization: `Bearer ${await token()}` });
    expect(res.status).toBe(200);
    expect(res.json.commands[0].value[0].status).toBe("SUCCESSFUL");
    expect(fake.requests).toHaveLength(1);
  });

  it("accepts scp as a space-separated string too", async () => {
    const t = await new SignJWT({ cid: clientId, scp: `openid ${scope}` })
      .setProtectedHeader({ alg: "RS256", kid: key.kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime("5m")
      .sign(key.privateKey);
    expect((await postHook(gw.httpUrl, oktaHookBody(), { authorization: `Bearer ${t}` })).status).toBe(200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, () => Promise<string>]>([
    ["an expired token", () => token({ exp: now() - 120 })],
    ["a token not valid yet", () => token({ nbf: now() + 600 })],
    ["a wrong audience", () => token({ aud: "api://default" })],
    ["a wrong issuer", () => token({ iss: "https://evil.example.com/oauth2/default" })],
    ["a missing scope", () => token({ scp: ["openid"] })],
    ["another client's token", () => token({ cid: "0oaSOMEONEELSE" })],
    ["a key the issuer never published", async () => token({ signWith: await newKey("key-unknown") })],
    [
      "alg none",
      async () =>
        `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ iss: issuer, aud: audience, cid: clientId, scp: [scope], exp: now() + 600 })}.`,
    ],
    [
      "HS256 signed with the public key as the secret",
      async () => {
        const header = b64url({ alg: "HS256", typ: "JWT", kid: key.kid });
        const payload = b64url({ iss: issuer, aud: audience, cid: clientId, scp: [scope], exp: now() + 600 });
        const pem = await exportSPKI(key.publicKey);
        const sig = createHmac("sha256", pem).update(`${header}.${payload}`).digest("base64url");
        return `${header}.${payload}.${sig}`;
      },
    ],
    ["a token that is not a JWT", async () => "not-a-jwt"],
  ])("refuses %s with 401 and sends nothing", async (_name, make) => {
    const res = await postHook(gw.httpUrl, oktaHookBody(), { authorization: `Bearer ${await make()}` });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: { errorSummary: "Unauthorized" } });
    expect(fake.requests).toHaveLength(0);
  });

  it("refuses a request without a bearer token", async () => {
    expect((await postHook(gw.httpUrl, oktaHookBody(), {})).status).toBe(401);
    expect((await postHook(gw.httpUrl, oktaHookBody(), { authorization: `Basic ${b64url("a:b")}` })).status).toBe(401);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("JWKS caching", () => {
  it("fetches keys once, then again only for a key id it has not seen (Okta key rotation)", async () => {
    const authenticate = createOAuthAuthenticator({ issuer, audience, clientId, scope, jwksUrl, jwksCooldownMs: 0 });
    const before = jwksFetches;
    for (let i = 0; i < 5; i++)
      expect(await authenticate({ authorization: `Bearer ${await token()}` })).toBeUndefined();
    expect(jwksFetches - before).toBe(1);

    const rotated = await newKey("key-2");
    published = [key, rotated];
    try {
      expect(await authenticate({ authorization: `Bearer ${await token({ signWith: rotated })}` })).toBeUndefined();
      expect(jwksFetches - before).toBe(2);
      expect(await authenticate({ authorization: `Bearer ${await token({ signWith: rotated })}` })).toBeUndefined();
      expect(jwksFetches - before).toBe(2);
    } finally {
      published = [key];
    }
  });
});

describe("a JWKS endpoint that answers far more than a key set", () => {
  it.each([
    ["says so in content-length", true],
    ["streams it without saying how much", false],
  ])("is refused when the answer is 6 MB and %s, though it holds the right key", async (_name, declared) => {
    // A valid key set padded to 6 MB: without a size limit the token would be accepted.
    const body = Buffer.from(JSON.stringify({ keys: published.map((k) => k.jwk), pad: "x".repeat(6 * 1024 * 1024) }));
    const huge = createServer((_req, res) => {
      res.writeHead(200, {
        "content-type": "application/json",
        ...(declared ? { "content-length": body.length } : {}),
      });
      res.end(body);
    });
    await new Promise<void>((r) => huge.listen(0, "127.0.0.1", r));
    const hugeUrl = `http://127.0.0.1:${(huge.address() as AddressInfo).port}/keys`;
    try {
      const authenticate = createOAuthAuthenticator({ issuer, audience, clientId, scope, jwksUrl: hugeUrl });
      expect(await authenticate({ authorization: `Bearer ${await token()}` })).not.toBeUndefined();
    } finally {
      huge.closeAllConnections();
      await new Promise((r) => huge.close(r));
    }
  });
});

describe("OAuth in the started gateway", () => {
  it("verifies tokens in the process `npm start` runs (the bundle loads its OAuth chunk)", async () => {
    const proc = await spawnGateway(oauthEnv(), { telemetry: false });
    try {
      const url = `http://127.0.0.1:${proc.httpPort}`;
      const ok = await postHook(url, oktaHookBody(), { authorization: `Bearer ${await token()}` });
      expect(ok.status).toBe(200);
      expect(ok.json.commands[0].value[0].status).toBe("SUCCESSFUL");
      const refused = await postHook(url, oktaHookBody(), {
        authorization: `Bearer ${await token({ aud: "api://x" })}`,
      });
      expect(refused.status).toBe(401);
    } finally {
      await proc.stop();
    }
  });
});
