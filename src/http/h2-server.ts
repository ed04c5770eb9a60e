import { constants, createServer, type Http2Server, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import type { Logger } from "pino";
import { createAddressCooldown } from "./address-cooldown.js";

type Handler = Parameters<typeof createServer>[1];

export interface H2Limits {
  /** Sessions (connections) at once; more are closed at accept. */
  readonly maxSessions: number;
  /** Streams in flight per session; a client opening more gets them refused (SETTINGS). */
  readonly maxConcurrentStreams: number;
  /** A request's body must be in within this; then the stream is cancelled. */
  readonly requestTimeoutMs: number;
  /** No stream lives longer than this, answer included (deadlines are clamped below it). */
  readonly streamLifetimeMs: number;
  /** A session with no stream for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Streams a client may cancel per second before its session is sent GOAWAY (rapid reset). */
  readonly maxCancelsPerSecond: number;
  /** How long an address that reset too fast is refused. */
  readonly cooldownMs: number;
}

export const defaultH2Limits: H2Limits = {
  maxSessions: 1_000,
  maxConcurrentStreams: 100,
  requestTimeoutMs: 10_000,
  streamLifetimeMs: 70_000,
  idleTimeoutMs: 60_000,
  maxCancelsPerSecond: 100,
  cooldownMs: 60_000,
};

/**
 * The cleartext HTTP/2 listener, bounded against clients that open streams and never finish
 * them, never read their answers, sit idle, or open and cancel streams as fast as they can.
 */
export function createH2Server(handler: Handler, limits: H2Limits, logger: Logger): Http2Server {
  const server = createServer(
    {
      settings: { maxConcurrentStreams: limits.maxConcurrentStreams },
      // Node's per-session cap on buffered data (MB); past it new streams are refused.
      maxSessionMemory: 8,
      maxSessionRejectedStreams: limits.maxConcurrentStreams,
      maxSessionInvalidFrames: 100,
    },
    handler,
  );
  const cooldown = createAddressCooldown({ cooldownMs: limits.cooldownMs, maxAddresses: 10_000 });
  let sessions = 0;

  server.on("session", (session: ServerHttp2Session) => {
    const address = session.socket?.remoteAddress ?? "";
    if (sessions >= limits.maxSessions || cooldown.has(address)) {
      session.destroy();
      return;
    }
    sessions += 1;
    session.once("close", () => {
      sessions -= 1;
    });
    session.setTimeout(limits.idleTimeoutMs, () => session.close());
    watchCancels(session, limits, () => {
      cooldown.add(address);
      logger.warn({ address, limit: limits.maxCancelsPerSecond }, "http2 client cancelled streams too fast: GOAWAY");
      session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM);
      session.destroy();
    });
  });
  server.on("stream", (stream: ServerHttp2Stream) => boundStream(stream, limits));
  return server;
}

// A stream cancelled this soon after it opened was never waited on.
const quickCancelMs = 250;

// Streams this server cancelled itself, so they are not counted as the client's cancels.
const cancelledHere = new WeakSet<ServerHttp2Stream>();

/** Cancels a stream whose body is not in by the request timeout, and any past its lifetime. */
function boundStream(stream: ServerHttp2Stream, limits: H2Limits): void {
  let bodyIn = false;
  stream.once("end", () => {
    bodyIn = true;
  });
  const started = Date.now();
  const check = () => {
    if (stream.closed || stream.destroyed) return;
    if (!bodyIn || Date.now() - started >= limits.streamLifetimeMs) {
      cancelledHere.add(stream);
      stream.close(constants.NGHTTP2_CANCEL);
      return;
    }
    timer = setTimeout(check, limits.streamLifetimeMs - (Date.now() - started));
    timer.unref();
  };
  let timer = setTimeout(check, limits.requestTimeoutMs);
  timer.unref();
  stream.once("close", () => clearTimeout(timer));
}

/**
 * Rapid reset (CVE-2023-44487): a client that opens streams and cancels them at once costs the
 * server a handler start each while holding no stream open. Counted per session per second.
 */
function watchCancels(session: ServerHttp2Session, limits: H2Limits, onAbuse: () => void): void {
  let windowStart = Date.now();
  let cancels = 0;
  session.on("stream", (stream: ServerHttp2Stream) => {
    const opened = Date.now();
    stream.once("close", () => {
      // Only a cancel right after the stream opened counts: a caller whose deadline passed
      // cancels late, and a busy façade doing so must not be taken for an attacker.
      if (stream.rstCode !== constants.NGHTTP2_CANCEL || cancelledHere.has(stream)) return;
      const now = Date.now();
      if (now - opened > quickCancelMs) return;
      if (now - windowStart >= 1_000) {
        windowStart = now;
        cancels = 0;
      }
      cancels += 1;
      if (cancels === limits.maxCancelsPerSecond + 1) onAbuse();
    });
  });
}
