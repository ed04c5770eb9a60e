import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";

import { clampDeadlineHeaders } from "./deadlines.js";

type Handler = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

/**
 * What the HTTP/2 listener adds around Connect's handler: deadlines clamped (deadlines.ts), and
 * `grpc-message` spelled as the spec says.
 *
 * Connect writes `grpc-message` with encodeURIComponent, which also escapes `;`, `:`, `+` and
 * `,`. The gRPC spec escapes only `%` and bytes outside printable ASCII, and `@grpc/grpc-js`
 * decodes with decodeURI, so its users read "too many codes sent%3B try again later". This
 * re-encodes the header (in trailers, or headers for a trailers-only answer) as the spec says,
 * which every client decodes alike.
 */
export function withGrpcWireFixes(handler: Handler): Handler {
  return (req, res) => {
    const writeHead = res.writeHead;
    const addTrailers = res.addTrailers;
    res.writeHead = function (this: Http2ServerResponse, ...args: unknown[]) {
      const headers = args[args.length - 1];
      if (typeof headers === "object" && headers !== null) respell(headers as Record<string, unknown>);
      return (writeHead as (...a: unknown[]) => Http2ServerResponse).apply(this, args);
    } as typeof res.writeHead;
    res.addTrailers = function (this: Http2ServerResponse, trailers) {
      respell(trailers as Record<string, unknown>);
      addTrailers.call(this, trailers);
    };
    clampDeadlineHeaders(req.headers);
    handler(req, res);
  };
}

function respell(headers: Record<string, unknown>): void {
  const value = headers["grpc-message"];
  if (typeof value !== "string") return;
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    return;
  }
  headers["grpc-message"] = specEncode(text);
}

/** Percent-encodes `%` and every byte outside 0x20–0x7E, as the gRPC spec has it. */
function specEncode(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
