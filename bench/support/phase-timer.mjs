// Preloaded into a server by bench/phases.ts (node --import): times each request's phases from
// Node's, Fastify's and undici's diagnostics channels, and records GC pauses. One request is in
// flight at a time there, so the phases need no correlation beyond "the current request".
// On SIGUSR2 it writes what it has to $PHASES_OUT and starts over.
import dc from "node:diagnostics_channel";
import { writeFileSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";

const byRequest = new WeakMap();
const done = [];
const gcs = [];
let current;
const now = () => performance.now();
const carrierCall = (request) => request.path?.startsWith("/api/v1/") ?? false;

dc.subscribe("http.server.request.start", ({ request }) => {
  current = { start: now() };
  byRequest.set(request, current);
});
dc.subscribe("tracing:fastify.request.handler:start", () => {
  if (current) current.handler ??= now();
});
dc.subscribe("undici:request:create", ({ request }) => {
  if (current && carrierCall(request)) current.carrierSent ??= now();
});
dc.subscribe("undici:request:trailers", ({ request }) => {
  if (current && carrierCall(request)) current.carrierDone ??= now();
});
dc.subscribe("http.server.response.finish", ({ request }) => {
  const r = byRequest.get(request);
  if (r?.handler !== undefined && r.carrierSent !== undefined && r.carrierDone !== undefined)
    done.push({ ...r, end: now() });
});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push([e.startTime, e.duration]);
}).observe({ entryTypes: ["gc"] });

process.on("SIGUSR2", () => {
  writeFileSync(process.env.PHASES_OUT, JSON.stringify({ requests: done, gcs }));
  done.length = 0;
  gcs.length = 0;
});
