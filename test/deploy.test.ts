import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type ConfigError, configVariables, loadConfig } from "../src/config/index.js";

// No cluster runs here, so the manifests are checked against what the code expects: probes on
// the real health endpoints, ports that match the config, env names the config module reads.

const dir = new URL("../deploy/k8s/", import.meta.url);
const parse = (file: URL) =>
  parseAllDocuments(readFileSync(file, "utf8")).map((d) => {
    expect(d.errors, file.pathname).toEqual([]);
    return d.toJS() as any;
  });
// What `kubectl apply -f deploy/k8s/` applies: the folder's own files, not its subfolders.
const docs = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((f) => parse(new URL(f, dir)));
const [secret] = parse(new URL("examples/secret.example.yaml", dir));
const byKind = (kind: string) => {
  const found = docs.filter((d) => d.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0];
};

const configMap = byKind("ConfigMap");
const deployment = byKind("Deployment");
const service = byKind("Service");
const container = deployment.spec.template.spec.containers[0];
const secretNames = [
  "OKTA_AUTH_SECRET",
  "EIGHTBYEIGHT_API_KEY",
  "OTP_API_KEYS",
  "OTP_SERVICE_API_KEY",
  "OTP_STORE_URL",
  "EIGHTBYEIGHT_WEBHOOK_SECRET",
  "VERIFY_HASH_KEY",
];

describe("deploy/k8s", () => {
  it("sets only variables the gateway reads, and secrets only in the Secret", () => {
    for (const name of [...Object.keys(configMap.data), ...Object.keys(secret.stringData)]) {
      expect(name.startsWith("OTEL_") || configVariables.includes(name), name).toBe(true);
    }
    for (const name of secretNames) expect(Object.keys(configMap.data)).not.toContain(name);
  });

  it("applies no Secret: the template lives in examples/, out of the apply path", () => {
    expect(docs.filter((d) => d.kind === "Secret")).toEqual([]);
    expect(secret.kind).toBe("Secret");
  });

  it("refuses to start with the template's placeholder secrets, saying how to make real ones", () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ ...configMap.data, ...secret.stringData });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    for (const name of [
      "OKTA_AUTH_SECRET",
      "EIGHTBYEIGHT_API_KEY",
      "OTP_API_KEYS (billing)",
      "EIGHTBYEIGHT_WEBHOOK_SECRET",
      "VERIFY_HASH_KEY",
    ]) {
      expect(problems.find((p) => p.startsWith(`${name}: looks like a placeholder`))).toMatch(
        /openssl rand -base64 32/,
      );
    }
  });

  it("holds a configuration the gateway accepts once the Secret has real values", () => {
    const real = () => randomBytes(32).toString("base64");
    const config = loadConfig({
      ...configMap.data,
      ...secret.stringData,
      OKTA_AUTH_SECRET: real(),
      EIGHTBYEIGHT_API_KEY: real(),
      OTP_API_KEYS: `billing:${real()}`,
      EIGHTBYEIGHT_WEBHOOK_SECRET: `Bearer ${real()}`,
      VERIFY_HASH_KEY: real(),
    });
    expect(config.webhooks.enabled).toBe(true);
    expect(config.verify.hashKey).toBeDefined();
    expect(config.nodeEnv).toBe("production");
    expect(config.carrier.mode).toBe("8x8");
    expect(config.store?.url).toBe(secret.stringData.OTP_STORE_URL);
  });

  it("probes the health endpoints on the HTTP port the config names", () => {
    const ports = Object.fromEntries(container.ports.map((p: any) => [p.name, p.containerPort]));
    expect(ports).toEqual({ http: Number(configMap.data.HTTP_PORT), grpc: Number(configMap.data.GRPC_PORT) });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.startupProbe.grpc).toEqual({ port: Number(configMap.data.GRPC_PORT) });
    expect(container.envFrom).toEqual([
      { configMapRef: { name: configMap.metadata.name } },
      { secretRef: { name: secret.metadata.name } },
    ]);
  });

  it("gives shutdown enough time: preStop pause plus SHUTDOWN_GRACE_MS fit the grace period", () => {
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command[1]);
    const graceSeconds = deployment.spec.template.spec.terminationGracePeriodSeconds;
    expect(preStopSeconds + Number(configMap.data.SHUTDOWN_GRACE_MS) / 1000).toBeLessThan(graceSeconds);
  });

  it("runs as non-root with a read-only filesystem", () => {
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  it("exposes both ports from a Service that selects the pods, and scales and protects the Deployment", () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    expect(service.spec.selector).toEqual(labels);
    expect(service.spec.ports.map((p: any) => [p.name, p.targetPort])).toEqual([
      ["http", "http"],
      ["grpc", "grpc"],
    ]);
    const hpa = byKind("HorizontalPodAutoscaler");
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: deployment.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const pdb = byKind("PodDisruptionBudget");
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
  });
});

describe("deploy/Dockerfile", () => {
  const dockerfile = readFileSync(new URL("../deploy/Dockerfile", import.meta.url), "utf8");

  it("is multi-stage, runs as a non-root user and starts with telemetry loaded first", () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^FROM node:20\./m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    // Exactly what `npm start` runs (flags, telemetry first), so the benchmarked process is the shipped one.
    const start = (
      JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: { start: string } }
    ).scripts.start;
    const nodeCommand = /\bnode (.*)$/.exec(start)![1]!.split(/\s+/);
    expect(dockerfile).toContain(`CMD ${JSON.stringify(["node", ...nodeCommand])}`.replaceAll('","', '", "'));
    expect(nodeCommand.slice(-3)).toEqual(["--import", "./dist/bundle/telemetry.js", "dist/bundle/main.js"]);
    expect(dockerfile).toMatch(/^EXPOSE 8080 8081$/m);
  });
});

describe(".dockerignore", () => {
  const ignore = readFileSync(new URL("../.dockerignore", import.meta.url), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const dockerfile = readFileSync(new URL("../deploy/Dockerfile", import.meta.url), "utf8");
  const allowed = ignore.filter((l) => l.startsWith("!")).map((l) => l.slice(1).replace(/\/$/, ""));

  it("sends the daemon only what the Dockerfile copies: never .env, node_modules or .git", () => {
    expect(ignore[0]).toBe("*");
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(new Set(copied)).toEqual(new Set(allowed));
    for (const kept of [".env", "node_modules", ".git", "dist", "bench"]) expect(allowed).not.toContain(kept);
  });
});
