import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { Channel, DeliveryStatus, OtpService, SendOtpResponseSchema } from "../../gen/otp/v1/otp_pb.js";
import { createInProcessTransport } from "../../src/otp/in-process-transport.js";

// The façade's transport, on its own: what crosses it must behave as over a socket.
describe("in-process transport", () => {
  it("carries request headers to the handler, and response headers and trailers back", async () => {
    const tagging: Interceptor = (next) => async (req) => {
      req.header.set("x-interceptor", "ran");
      return next(req);
    };
    const transport = createInProcessTransport({
      service: OtpService,
      serverInterceptors: [tagging],
      impl: {
        sendOtp(req: { phoneNumber: string }, ctx: { requestHeader: Headers; responseHeader: Headers; responseTrailer: Headers }) {
          ctx.responseHeader.set("x-seen", `${ctx.requestHeader.get("x-caller")}/${ctx.requestHeader.get("x-interceptor")}`);
          ctx.responseTrailer.set("x-done", "yes");
          return create(SendOtpResponseSchema, { deliveryId: "d1", status: DeliveryStatus.ACCEPTED, maskedPhoneNumber: req.phoneNumber });
        },
      },
    });
    const client = createClient(OtpService, transport);
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const res = await client.sendOtp(
      { channel: Channel.SMS, phoneNumber: "+44******3456", code: "123456" },
      { headers: { "x-caller": "test" }, onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) },
    );
    expect(res).toMatchObject({ deliveryId: "d1", status: DeliveryStatus.ACCEPTED, maskedPhoneNumber: "+44******3456" });
    expect(header?.get("x-seen")).toBe("test/ran");
    expect(trailer?.get("x-done")).toBe("yes");
  });

  it("keeps a handler's own failure text on this side and passes ConnectErrors through", async () => {
    let fail: Error = new Error("db password is hunter2");
    const client = createClient(
      OtpService,
      createInProcessTransport({
        service: OtpService,
        impl: {
          sendOtp() {
            throw fail;
          },
        },
      }),
    );
    const internal = ConnectError.from(await client.sendOtp({}).catch((e: unknown) => e));
    expect(internal.code).toBe(Code.Internal);
    expect(internal.message).not.toContain("hunter2");
    fail = new ConnectError("no such number", Code.InvalidArgument);
    const invalid = ConnectError.from(await client.sendOtp({}).catch((e: unknown) => e));
    expect(invalid.code).toBe(Code.InvalidArgument);
    expect(invalid.rawMessage).toBe("no such number");
  });

  it("ends the call at its deadline with DeadlineExceeded and aborts the handler's signal", async () => {
    let handlerSignal: AbortSignal | undefined;
    const client = createClient(
      OtpService,
      createInProcessTransport({
        service: OtpService,
        impl: {
          sendOtp(_req: unknown, ctx: { signal: AbortSignal }) {
            handlerSignal = ctx.signal;
            return new Promise(() => {});
          },
        },
      }),
    );
    const err = ConnectError.from(await client.sendOtp({}, { timeoutMs: 50 }).catch((e: unknown) => e));
    expect(err.code).toBe(Code.DeadlineExceeded);
    expect(handlerSignal?.aborted).toBe(true);
  });
});
