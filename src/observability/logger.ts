import { type Logger, type LoggerOptions, pino } from "pino";

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
 * Lines go to stdout with one write each, as Node's own stdout does for files and pipes on
 * Linux. Pino's default asynchronous destination appends each line to the text still pending
 * and measures that text's byte length on every line, which flattens it: at 3,500 sends a
 * second that was 16 KB of garbage a send and 8 % of the throughput (bench/README.md).
 */
export function createLogger(level: string, authHeader: string, destination?: NodeJS.WritableStream): Logger {
  return pino(loggerOptions(level, authHeader), destination ?? pino.destination({ dest: 1, sync: true }));
}
