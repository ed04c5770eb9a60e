import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";

import { clampDeadlineHeaders } from "./deadlines.js";
import { specEncode } from "./grpc-message-encoding.js";
import type { RpcRefusal } from "./rpc-gate.js";

type Handler = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

/**
 * What the HTTP/2 listener adds around Connect's handler: deadlines clamped (deadlines.ts),
 * strangers refused before their body is read (rpc-gate.ts), and `grpc-message` spelled as the
 * spec says.
 *
 * Connect writes `grpc-message` with encodeURIComponent, which also escapes `;`, `:`, `+` and
 * `,`. The gRPC spec escapes only `%` and bytes outside printable ASCII, and `@grpc/grpc-js`
 * decodes with decodeURI, so its users read "too many codes sent%3B try again later". This
 * re-encodes the header (in trailers, or headers for a trailers-only answer) as the spec says,
 * which every client decodes alike.
 */
export function withGrpcWireFixes(
  handler: Handler,
  gate: (path: string, headers: Http2ServerRequest["headers"]) => RpcRefusal | undefined,
): Handler {
  return (req, res) => {
    clampDeadlineHeaders(req.headers);
    const refusal = gate(req.url, req.headers);
    if (refusal) {
      // A gRPC refusal is trailers-only: one HEADERS frame that ends the stream. Headers and
      // then an empty end of body read as headers without trailers, which grpc-js reports as
      // INTERNAL ("Call ended without gRPC status") instead of the status they carry.
      if (refusal.body === "")
        res.stream.respond({ ":status": refusal.status, ...refusal.headers }, { endStream: true });
      else res.writeHead(refusal.status, refusal.headers).end(refusal.body);
      return;
    }
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
