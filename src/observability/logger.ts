import { type Logger, type LoggerOptions, pino } from "pino";
import { LineBatch } from "./line-batch.js";

/**
 * Pino options shared by the gateway's own logger and Fastify's: credential headers are
 * censored should a request ever be logged with its headers. A recorded request's lines carry
 * `trace_id`/`span_id` because they are passed (trace-context.ts), not read from a context.
 */
export function loggerOptions(level: string, authHeader: string): LoggerOptions {
  const header = authHeader.toLowerCase();
  return {
    level,
    base: { service: "otp-gateway" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        "req.headers.authorization",
        `req.headers["${header}"]`,
        'req.headers["x-api-key"]',
        "headers.authorization",
        `headers["${header}"]`,
      ],
      censor: "[redacted]",
    },
  };
}

/**
 * Lines go to stdout through pino's synchronous destination, gathered for up to 5 ms
 * (line-batch.ts) and written out on exit. Pino's default asynchronous destination appends each
 * line to the text still pending and measures that text's byte length on every line, which
 * flattens it: at 3,500 sends a second that was 16 KB of garbage a send (bench/README.md).
 */
export function createLogger(level: string, authHeader: string, destination?: NodeJS.WritableStream): Logger {
  if (destination) return pino(loggerOptions(level, authHeader), destination);
  const batch = new LineBatch(pino.destination({ dest: 1, sync: true }));
  process.on("exit", () => batch.flushSync());
  return pino(loggerOptions(level, authHeader), batch);
}
