// The reference for SendOtp over gRPC, measured in the same run: OtpService.SendOtp served by a
// bare connect-node handler on HTTP/2 that makes the same 8x8 call over an undici pool of the
// gateway's size and answers. None of the gateway's code: no auth, validation, limits or
// idempotency; the floor for serving this RPC with Connect at all.
//
//   node --import tsx bench/support/connect-proxy-server.ts   (env: UPSTREAM, NODE_EXTRA_CA_CERTS)
import { randomUUID } from "node:crypto";
import { createServer } from "node:http2";
import type { AddressInfo } from "node:net";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Pool } from "undici";
import { DeliveryStatus, OtpService } from "../../gen/otp/v1/otp_pb.js";

const pool = new Pool(process.env.UPSTREAM!, { connections: 256, keepAliveTimeout: 30_000 });

const routes = (router: ConnectRouter) =>
  router.service(OtpService, {
    async sendOtp(req) {
      const res = await pool.request({
        method: "POST",
        path: "/api/v1/subaccounts/acme_hq/messages",
        headers: { "content-type": "application/json", authorization: "Bearer bench" },
        body: JSON.stringify({ destination: req.phoneNumber, text: `Your code is ${req.code}`, encoding: "AUTO" }),
      });
      const answer = (await res.body.json()) as { umid: string };
      return {
        deliveryId: randomUUID(),
        provider: "8x8",
        providerMessageId: answer.umid,
        status: DeliveryStatus.ACCEPTED,
      };
    },
  });

const server = createServer(connectNodeAdapter({ routes }));
server.listen(0, "127.0.0.1", () => {
  const port = (server.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify({ msg: "gateway listening", httpPort: port, grpcPort: port })}\n`);
});
