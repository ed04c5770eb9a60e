// The references the gateway is measured against, in the same run:
//   ceiling: a bare Fastify route that answers the hook with no upstream call;
//   proxy:   a bare Fastify route that makes the same 8x8 call over a keep-alive undici pool
//            of the gateway's size (256) and answers (the floor for doing this job at all).
//
//   node --import tsx bench/support/reference-server.ts   (env: MODE, UPSTREAM, NODE_EXTRA_CA_CERTS)
import { randomUUID } from "node:crypto";
import Fastify from "fastify";
import { Pool } from "undici";

const mode = process.env.MODE ?? "ceiling";
const app = Fastify({ logger: false });
const pool =
  mode === "proxy" ? new Pool(process.env.UPSTREAM!, { connections: 256, keepAliveTimeout: 30_000 }) : undefined;

app.post("/okta/telephony", async (req) => {
  const body = req.body as { data: { messageProfile: { phoneNumber: string; msgTemplate: string } } };
  if (!pool) {
    return {
      commands: [
        {
          type: "com.okta.telephony.action",
          value: [{ status: "SUCCESSFUL", provider: "8x8", transactionId: randomUUID(), transactionMetadata: "ref" }],
        },
      ],
    };
  }
  const res = await pool.request({
    method: "POST",
    path: "/api/v1/subaccounts/acme_hq/messages",
    headers: { "content-type": "application/json", authorization: "Bearer bench" },
    body: JSON.stringify({
      destination: body.data.messageProfile.phoneNumber,
      text: body.data.messageProfile.msgTemplate,
      encoding: "AUTO",
    }),
  });
  const answer = (await res.body.json()) as { umid: string };
  return {
    commands: [
      {
        type: "com.okta.telephony.action",
        value: [{ status: "SUCCESSFUL", provider: "8x8", transactionId: answer.umid, transactionMetadata: "ref" }],
      },
    ],
  };
});
app.get("/readyz", async () => ({ status: "ready" }));

await app.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(
  `${JSON.stringify({ msg: "gateway listening", httpPort: (app.server.address() as { port: number }).port })}\n`,
);
