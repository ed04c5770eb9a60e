// A reference the gateway is measured against in the same run: the Okta hook answered the way
// 8x8's tutorials and most samples send an SMS, an Express route posting to 8x8 with axios
// (Node's default keep-alive agent), no validation, no limits, no idempotency.
//
//   node --import tsx bench/support/tutorial-server.ts   (env: UPSTREAM, NODE_EXTRA_CA_CERTS)
import axios from "axios";
import express from "express";

const app = express();
app.use(express.json());

app.post("/okta/telephony", async (req, res) => {
  const { phoneNumber, msgTemplate } = req.body.data.messageProfile;
  try {
    const answer = await axios.post(
      `${process.env.UPSTREAM}/api/v1/subaccounts/acme_hq/messages`,
      { destination: phoneNumber, text: msgTemplate, encoding: "AUTO" },
      { headers: { Authorization: "Bearer bench" } },
    );
    res.json({
      commands: [
        {
          type: "com.okta.telephony.action",
          value: [{ status: "SUCCESSFUL", provider: "8x8", transactionId: answer.data.umid }],
        },
      ],
    });
  } catch {
    res.status(502).json({ error: { errorSummary: "send failed" } });
  }
});
app.get("/readyz", (_req, res) => {
  res.json({ status: "ready" });
});

const server = app.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ msg: "gateway listening", httpPort: port })}\n`);
});
