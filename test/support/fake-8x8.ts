import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request the fake 8x8 received, as it arrived. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: unknown;
  readonly rawBody: string;
}

/**
 * How the fake answers the next requests. Shapes follow 8x8's documentation (see
 * ../shared/spec/8x8-apis.md): SMS errors are `{code,message,errorId,timestamp}`, voice errors
 * are `NOT_CREATED` with a negative `statusCode`.
 */
export type FakeBehaviour =
  | { kind: "accept" }
  | { kind: "sms-rejected"; description: string }
  | { kind: "sms-error"; status: number; code: number; message: string; headers?: Record<string, string> }
  | { kind: "voice-error"; status: number; statusCode: number; statusMessage: string }
  | { kind: "raw"; status: number; contentType: string; body: string; headers?: Record<string, string> }
  | { kind: "reset" }
  /** 200 QUEUED, with a header far past what an HTTP client reads. */
  | { kind: "huge-headers" }
  | { kind: "hang" }
  | { kind: "slow-body" }
  | { kind: "delay"; ms: number };

/** What `GET …/speech-profiles` answers: a list (8x8's shape), an outage, or a body that is no list. */
export type FakeSpeechProfiles =
  | { kind: "list"; profiles: Array<{ speechProfileCode: string; localeCode: string; gender?: string }> }
  | { kind: "down" }
  | { kind: "garbage" };

/** A subaccount's voices as 8x8 might list them: standard and neural, several per locale. */
export const fakeSpeechProfiles = [
  ["en-US-Jenny", "en-US", "Female"],
  ["en-GB-Emma", "en-GB", "Female"],
  ["en-IE-EmilyNeural", "en-IE", "Female"],
  ["fr-FR-Julie", "fr-FR", "Female"],
  ["fr-FR-DeniseNeural", "fr-FR", "Female"],
  ["fr-FR-HenriNeural", "fr-FR", "Male"],
  ["fr-CA-SylvieNeural", "fr-CA", "Female"],
  ["de-DE-KatjaNeural", "de-DE", "Female"],
  ["de-DE-ConradNeural", "de-DE", "Male"],
  ["ja-JP-NanamiNeural", "ja-JP", "Female"],
  ["pt-BR-FranciscaNeural", "pt-BR", "Female"],
  ["pt-PT-RaquelNeural", "pt-PT", "Female"],
  ["zh-TW-HsiaoChenNeural", "zh-TW", "Female"],
  ["zh-CN-XiaoxiaoNeural", "zh-CN", "Female"],
  ["es-ES-ElviraNeural", "es-ES", "Female"],
].map(([speechProfileCode, localeCode, gender]) => ({
  speechProfileCode: speechProfileCode!,
  localeCode: localeCode!,
  gender,
}));

export interface Fake8x8 {
  readonly url: string;
  readonly apiKey: string;
  readonly requests: RecordedRequest[];
  /** The JSON bodies the fake answered with, in order. */
  readonly answers: unknown[];
  /** Sets the answer for every following request until changed (and clears queued ones). */
  behave(behaviour: FakeBehaviour): void;
  /** Queues one-shot answers used, in order, before the standing one. */
  behaveNext(...behaviours: FakeBehaviour[]): void;
  /** Forgets recorded requests and answers and goes back to accepting everything. */
  reset(): void;
  /** Sets what `GET …/speech-profiles` answers (not recorded in `requests`). */
  speechProfiles(answer: FakeSpeechProfiles): void;
  /** How many times the speech profiles were read. */
  readonly profileReads: () => number;
  /**
   * Posts a webhook body to the gateway as 8x8 does: JSON, with the `Authorization` value the
   * webhook was configured with (`httpAuthorization`). Answers the gateway's status and body.
   */
  postWebhook(url: string, body: unknown, authorization?: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

const smsPath = /^\/api\/v1\/subaccounts\/([^/]+)\/messages$/;
const speechProfilesPath = /^\/api\/v1\/subaccounts\/([^/]+)\/speech-profiles$/;
const voicePath = /^\/api\/v1\/subaccounts\/([^/]+)\/callflows$/;
const feedbackPath = /^\/api\/v1\/subaccounts\/([^/]+)\/messages\/([^/]+)\/feedback$/;
const destinationPattern = /^\+?[1-9]\d{6,14}$/;

export async function startFake8x8(apiKey = "test-8x8-api-key-0001"): Promise<Fake8x8> {
  const requests: RecordedRequest[] = [];
  const answers: unknown[] = [];
  const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    answers.push(body);
    json(res, status, body, headers);
  };
  let behaviour: FakeBehaviour = { kind: "accept" };
  const queued: FakeBehaviour[] = [];
  let profiles: FakeSpeechProfiles = { kind: "list", profiles: fakeSpeechProfiles };
  let profileReads = 0;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      if (req.method === "GET" && speechProfilesPath.test(req.url ?? "")) {
        profileReads += 1;
        return answerProfiles(req, res);
      }
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, rawBody });
      void answer(req, res, body, queued.shift() ?? behaviour);
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  function answerProfiles(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.authorization !== `Bearer ${apiKey}`) return json(res, 401, smsError(1200, "Unauthorized"));
    if (profiles.kind === "down") return json(res, 503, { statusCode: -9999, statusMessage: "unavailable" });
    if (profiles.kind === "garbage") return json(res, 200, { hello: "world", speechProfiles: "none" });
    return json(res, 200, { speechProfiles: profiles.profiles, statusCode: 1, statusMessage: "OK" });
  }

  async function answer(req: IncomingMessage, res: ServerResponse, body: unknown, b: FakeBehaviour) {
    const path = req.url ?? "";
    const isSms = smsPath.test(path);
    const isVoice = voicePath.test(path);
    if (b.kind === "reset") return req.socket.destroy();
    if (b.kind === "huge-headers") {
      res.writeHead(200, { "content-type": "application/json", "x-padding": "p".repeat(70_000) });
      return res.end(JSON.stringify({ umid: randomUUID(), status: { code: "QUEUED" } }));
    }
    if (b.kind === "hang") return;
    if (b.kind === "slow-body") {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"umid":');
      return;
    }
    if (b.kind === "delay") await new Promise((r) => setTimeout(r, b.ms));
    if (b.kind === "raw") {
      res.writeHead(b.status, { "content-type": b.contentType, ...b.headers });
      return res.end(b.body);
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return isVoice
        ? reply(res, 401, {
            sessionStatus: "NOT_CREATED",
            statusCode: 401,
            statusMessage: "Authentication header not found or token invalid",
          })
        : reply(res, 401, smsError(1200, "Request was not authenticated properly"));
    }
    if (b.kind === "sms-error") return reply(res, b.status, smsError(b.code, b.message), b.headers);
    // The Feedback API answers 200 with an empty body.
    if (feedbackPath.test(path)) return res.writeHead(200).end();
    if (b.kind === "voice-error") {
      return reply(res, b.status, {
        sessionStatus: "NOT_CREATED",
        callFlowRequestId: randomUUID(),
        statusCode: b.statusCode,
        statusMessage: b.statusMessage,
      });
    }
    const payload = (body ?? {}) as Record<string, unknown>;
    if (isSms) {
      const destination = String(payload.destination ?? "");
      if (!destinationPattern.test(destination)) {
        return reply(res, 400, smsError(1002, "Invalid MSISDN format (not E.164 international number)"));
      }
      const rejected = b.kind === "sms-rejected";
      return reply(res, 200, {
        umid: randomUUID(),
        clientMessageId: payload.clientMessageId ?? null,
        destination: destination.replace(/^\+/, ""),
        encoding: "GSM7",
        status: rejected
          ? { code: "REJECTED", description: b.description }
          : { code: "QUEUED", description: "SMS is accepted and queued for processing" },
      });
    }
    if (isVoice) {
      const flow = Array.isArray(payload.callflow) ? (payload.callflow as Array<{ action?: string }>) : [];
      if (flow[0]?.action !== "makeCall") {
        return reply(res, 422, {
          sessionStatus: "NOT_CREATED",
          statusCode: -1013,
          statusMessage: "First action should be a MakeCall action",
        });
      }
      return reply(res, 200, {
        sessionId: randomUUID(),
        sessionStatus: "CREATED",
        callFlowRequestId: randomUUID(),
        statusCode: 1,
        statusMessage: "Created",
      });
    }
    return reply(res, 404, smsError(1300, "Not found"));
  }

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    answers,
    behave: (b) => {
      behaviour = b;
      queued.length = 0;
    },
    behaveNext: (...bs) => {
      queued.push(...bs);
    },
    reset: () => {
      requests.length = 0;
      answers.length = 0;
      queued.length = 0;
      behaviour = { kind: "accept" };
      profiles = { kind: "list", profiles: fakeSpeechProfiles };
    },
    speechProfiles: (answer) => {
      profiles = answer;
    },
    profileReads: () => profileReads,
    async postWebhook(url, body, authorization) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (authorization !== undefined) headers.authorization = authorization;
      const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: kept as text.
      }
      return { status: res.status, body: parsed };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function smsError(code: number, message: string) {
  return { code, message, errorId: randomUUID(), timestamp: new Date().toISOString() };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
