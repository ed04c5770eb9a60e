import { readFileSync } from "node:fs";
import { parser } from "@prometheus-io/lezer-promql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type GatewayProcess, spawnGateway } from "./support/process.js";

// The shipped alert rules and dashboard against what a running gateway really exports.

const dir = new URL("../deploy/observability/", import.meta.url);
const rules = parse(readFileSync(new URL("alerts.yaml", dir), "utf8")) as {
  groups: Array<{ name: string; rules: Array<Record<string, unknown>> }>;
};
const dashboard = JSON.parse(readFileSync(new URL("dashboard.json", dir), "utf8")) as {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
};

const exprs = [
  ...rules.groups.flatMap((g) => g.rules.map((r) => String(r.expr))),
  ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
];
const recorded = new Set(rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [String(r.record)] : []))));
const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b(otp_[a-z_]+)/g)].map((m) => m[1]!)));

let gw: GatewayProcess;
let exported: Set<string>;

beforeAll(async () => {
  gw = await spawnGateway({}, { telemetry: false });
  const text = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
  exported = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    exported.add(name!);
    if (type === "histogram") for (const s of ["_bucket", "_count", "_sum"]) exported.add(`${name}${s}`);
  }
});
afterAll(async () => gw?.stop());

describe("deploy/observability", () => {
  it("uses only metrics the gateway exports", () => {
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect(exported.has(name), name).toBe(true);
  });

  it("is a rules file Prometheus loads: groups of named records and alerts, each with an expression", () => {
    expect(rules.groups.length).toBeGreaterThan(0);
    for (const group of rules.groups) {
      expect(group.name).toMatch(/\S/);
      for (const rule of group.rules) {
        expect(typeof rule.expr, JSON.stringify(rule)).toBe("string");
        expect(Boolean(rule.alert) !== Boolean(rule.record), JSON.stringify(rule)).toBe(true);
        if (rule.record) expect(rule.record).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
        if (rule.alert) expect((rule.labels as { severity?: string }).severity).toMatch(/^(page|ticket)$/);
        if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smhd]$/);
      }
    }
    // Every recorded series an alert reads is recorded here.
    for (const e of exprs)
      for (const [name] of e.matchAll(/\botp:[a-z_:0-9]+/g)) expect(recorded.has(name), name).toBe(true);
  });

  it("writes every expression in valid PromQL (Prometheus's own grammar)", () => {
    for (const expr of exprs) {
      // Grafana's interval variable stands for a duration when the panel is drawn.
      const query = expr.replaceAll("$__rate_interval", "5m");
      let broken = false;
      parser.parse(query).iterate({
        enter: (node) => {
          if (node.type.isError) broken = true;
        },
      });
      expect(broken, query).toBe(false);
    }
  });

  it("draws the hook's latency against Okta's 3 s", () => {
    const titles = dashboard.panels.map((p) => p.title);
    expect(titles.some((t) => t.includes("3 s"))).toBe(true);
  });
});
