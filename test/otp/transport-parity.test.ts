import { create } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createClient,
  createContextKey,
  createRouterTransport,
  type HandlerContext,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  Channel,
  DeliveryStatus,
  OtpService,
  RateLimitDetailSchema,
  type SendOtpRequest,
  SendOtpResponseSchema,
} from "../../gen/otp/v1/otp_pb.js";
import { createInProcessTransport } from "../../src/otp/client/in-process-transport.js";

// The façade's in-process transport must behave as Connect's own router transport does (the
// same server pipeline Connect runs behind a socket). Each case runs over both, and the two
// outcomes must be equal: a Connect upgrade that changes what a handler sees or what a caller
// gets fails here instead of silently diverging.

const callerKey = createContextKey("nobody", { description: "caller" });
const naming: Interceptor = (next) => async (req) => {
  req.contextValues.set(callerKey, req.header.get("x-caller") ?? "unnamed");
  return next(req);
};

type Impl = (req: SendOtpRequest, ctx: HandlerContext) => Promise<unknown>;

function transports(impl: Impl): [Transport, Transport] {
  const service = { sendOtp: impl };
  return [
    createInProcessTransport({ service: OtpService, impl: service, serverInterceptors: [naming] }),
    createRouterTransport((router) => router.service(OtpService, service as never), {
      router: { interceptors: [naming] },
    }),
  ];
}

/** What a caller can observe of one call: the answer or the error, with its code and details. */
async function observe(transport: Transport, call: (client: ReturnType<typeof clientOf>) => Promise<unknown>) {
  try {
    return { ok: await call(clientOf(transport)) };
  } catch (err) {
    const ce = ConnectError.from(err);
    const limits = ce.findDetails(RateLimitDetailSchema).map((d) => ({ limit: d.limit, retryAfterMs: d.retryAfterMs }));
    return { code: Code[ce.code], message: ce.rawMessage, limits };
  }
}

const clientOf = (transport: Transport) => createClient(OtpService, transport);

const accepted = (req: SendOtpRequest, extra: Record<string, unknown> = {}) =>
  create(SendOtpResponseSchema, { deliveryId: "d1", status: DeliveryStatus.ACCEPTED, channel: req.channel, ...extra });

const request = { channel: Channel.SMS, phoneNumber: "+447911123456", code: "482913" };

const cases: Array<[string, Impl, (client: ReturnType<typeof clientOf>) => Promise<unknown>]> = [
  ["a plain answer", async (req) => accepted(req), (c) => c.sendOtp(request)],
  [
    "the request as the handler sees it: defaults filled, headers, interceptor values",
    async (req, ctx) =>
      accepted(req, {
        provider: `${ctx.values.get(callerKey)}|${ctx.requestHeader.get("x-caller")}|${req.locale === ""}|${req.userId === ""}`,
        providerMessageId: `${ctx.method.name}|${ctx.service.typeName}|${ctx.signal.aborted}`,
      }),
    (c) =>
      c.sendOtp(
        { channel: Channel.VOICE, phoneNumber: "+447911123456", code: "1234" },
        { headers: { "x-caller": "billing" } },
      ),
  ],
  [
    "a deadline the handler can read",
    async (req, ctx) =>
      accepted(req, { provider: String((ctx.timeoutMs() ?? 0) > 500 && (ctx.timeoutMs() ?? 0) <= 1000) }),
    (c) => c.sendOtp(request, { timeoutMs: 1000 }),
  ],
  [
    "no deadline when the caller sets none",
    async (req, ctx) => accepted(req, { provider: String(ctx.timeoutMs()) }),
    (c) => c.sendOtp(request),
  ],
  [
    "a ConnectError with a detail",
    async () => {
      throw new ConnectError("too many codes sent; try again later", Code.ResourceExhausted, undefined, [
        { desc: RateLimitDetailSchema, value: { limit: "phone", retryAfterMs: 1200 } },
      ]);
    },
    (c) => c.sendOtp(request),
  ],
  [
    "a plain Error, whose text stays on the server's side",
    async () => {
      throw new Error("db password is hunter2");
    },
    (c) => c.sendOtp(request),
  ],
  [
    "a handler slower than the caller's deadline",
    (req, ctx) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(accepted(req)), 2_000);
        ctx.signal.addEventListener("abort", () => clearTimeout(timer));
      }),
    (c) => c.sendOtp(request, { timeoutMs: 50 }),
  ],
  [
    "a caller that cancels",
    (req, ctx) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(accepted(req)), 2_000);
        ctx.signal.addEventListener("abort", () => clearTimeout(timer));
      }),
    (c) => c.sendOtp(request, { signal: AbortSignal.timeout(50) }),
  ],
];

describe("in-process transport and Connect's router transport agree", () => {
  it.each(cases)("%s", async (_name, impl, call) => {
    const [inProcess, router] = transports(impl);
    const [ours, connects] = await Promise.all([observe(inProcess, call), observe(router, call)]);
    expect(ours).toEqual(connects);
  });
});
