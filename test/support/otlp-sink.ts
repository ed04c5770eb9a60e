import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A span as exported over OTLP/HTTP JSON, flattened for assertions. */
export interface ExportedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly scope: string;
  readonly service: string;
  readonly attributes: Record<string, unknown>;
  /** The spans this one links to (not its parent). */
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string }>;
  /** Everything exported for the span (events, status, resource) as text, for leak searches. */
  readonly raw: string;
}

export interface OtlpSink {
  readonly url: string;
  readonly spans: ExportedSpan[];
  close(): Promise<void>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
}
interface KeyValue {
  key: string;
  value: AnyValue;
}

function readAnyValue(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(readAnyValue);
  return undefined;
}

function attributes(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, readAnyValue(kv.value)]));
}

/** An OTLP/HTTP JSON trace receiver that keeps every span in memory. */
export async function startOtlpSink(): Promise<OtlpSink> {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        resourceSpans?: Array<{
          resource?: { attributes?: KeyValue[] };
          scopeSpans?: Array<{ scope?: { name?: string }; spans?: Array<Record<string, unknown>> }>;
        }>;
      };
      for (const rs of body.resourceSpans ?? []) {
        const resource = attributes(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            const parent = s.parentSpanId as string | undefined;
            spans.push({
              traceId: s.traceId as string,
              spanId: s.spanId as string,
              ...(parent ? { parentSpanId: parent } : {}),
              name: s.name as string,
              kind: s.kind as number,
              scope: ss.scope?.name ?? "",
              service: String(resource["service.name"] ?? ""),
              attributes: attributes(s.attributes as KeyValue[]),
              links: ((s.links as Array<{ traceId: string; spanId: string }> | undefined) ?? []).map((l) => ({
                traceId: l.traceId,
                spanId: l.spanId,
              })),
              raw: JSON.stringify({ span: s, resource: rs.resource }),
            });
          }
        }
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
