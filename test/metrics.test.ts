import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "./support/gateway.js";

describe("GET /metrics with METRICS_TOKEN", () => {
  const token = "metrics-Kq93XvLp2mW7tR4y";
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ METRICS_TOKEN: token });
  });
  afterAll(async () => gw?.close());

  it("refuses a scrape without the token, or with another", async () => {
    const attempts: Array<Record<string, string>> = [{}, { authorization: "Bearer nope" }, { authorization: token }];
    for (const headers of attempts) {
      const res = await fetch(`${gw.httpUrl}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain("otp_send_outcomes_total");
    }
  });

  it("serves the exposition with it, rendering at most once a second however often it is asked", async () => {
    const scrape = () => fetch(`${gw.httpUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    const first = await scrape();
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toMatch(/^text\/plain/);
    const texts = await Promise.all(Array.from({ length: 20 }, async () => (await scrape()).text()));
    // process_cpu_user_seconds_total changes between renderings; within the second it cannot.
    const cpu = (t: string) => /process_cpu_user_seconds_total (\S+)/.exec(t)?.[1];
    expect(new Set(texts.map(cpu)).size).toBe(1);
  });
});
