import { create, type DescMessage, type DescMethodUnary, type DescService } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ContextValues,
  createContextValues,
  type HandlerContext,
  type Interceptor,
  type Transport,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";
import { endsOnlyAtDeadlineKey } from "../caller.js";
import {
  deadlineKey,
  InProcessContext,
  InProcessRequest,
  InProcessResponse,
  LazyCancellation,
} from "./in-process-messages.js";

type UnaryHandler = (request: never, context: HandlerContext) => unknown;
type Next = (req: UnaryRequest) => Promise<UnaryResponse>;

export interface InProcessTransportOptions {
  readonly service: DescService;
  readonly impl: Readonly<Record<string, unknown>>;
  readonly serverInterceptors?: Interceptor[];
}

/**
 * A Transport that calls a service implementation in this process directly. The server
 * interceptors run as they would behind a listener (the RPC server span, the caller name), the
 * deadline and the caller's signal reach the handler as `context.signal`, and errors cross the
 * boundary as they would over the network. The message is handed over as an object instead of
 * being serialised, framed and parsed again, which Connect's router transport does and which
 * cost more than the rest of a send on the façade's hot path.
 *
 * Connect's own call helpers are not used either: each call made two AbortSignals, a linked
 * controller and, on completion, aborted them without a reason, which builds a DOMException
 * with a stack trace per call. Here a call has one
 * controller, made only if the handler reads its signal, and only aborted when something
 * really is cancelled.
 */
export function createInProcessTransport(options: InProcessTransportOptions): Transport {
  const chains = buildChains(options);
  return {
    unary(method, signal, timeoutMs, header, input, contextValues) {
      const chain = chains.get(method.localName);
      if (!chain) return Promise.reject(new ConnectError(`${method.name} is not implemented`, Code.Unimplemented));
      return call(chain, method as DescMethodUnary, { signal, timeoutMs, header, contextValues }, input) as never;
    },
    stream() {
      return Promise.reject(new ConnectError("streaming calls are not supported in-process", Code.Unimplemented));
    },
  };
}

/** One interceptor chain per method, built once, ending in the implementation. */
function buildChains(options: InProcessTransportOptions): Map<string, Next> {
  const interceptors = options.serverInterceptors ?? [];
  const chains = new Map<string, Next>();
  for (const method of options.service.methods) {
    const impl = options.impl[method.localName] as UnaryHandler | undefined;
    const innermost: Next = async (req) => {
      if (typeof impl !== "function") throw new ConnectError(`${method.name} is not implemented`, Code.Unimplemented);
      const context = new InProcessContext(req);
      let output: unknown;
      try {
        output = await impl.call(options.impl, req.message as never, context);
      } catch (err) {
        throw asWireError(err);
      }
      const message = create(req.method.output as DescMessage, output as never);
      return new InProcessResponse(req, context, message) as UnaryResponse;
    };
    const wrap = (next: Next, interceptor: Interceptor) =>
      interceptor(next as Parameters<Interceptor>[0]) as unknown as Next;
    chains.set(method.localName, interceptors.reduceRight(wrap, innermost));
  }
  return chains;
}

/** What the caller passed along with the message. */
interface CallInit {
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
  readonly header: ConstructorParameters<typeof Headers>[0];
  /** The caller's values (the façade's trace context); the server side adds its own to them. */
  readonly contextValues: ContextValues | undefined;
}

/**
 * Runs one call through its chain with the caller's deadline and signal. A client may pass a
 * partial init object as `input`; the handler gets a complete message.
 */
function call(chain: Next, method: DescMethodUnary, init: CallInit, input: unknown): Promise<UnaryResponse> {
  const { signal, timeoutMs } = init;
  return new Promise((resolve, reject) => {
    const cancellation = new LazyCancellation();
    let settled = false;
    const finish = () => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onCallerAbort);
      return true;
    };
    const cancel = (reason: ConnectError) => {
      if (!finish()) return;
      // With a reason, so no DOMException is built; the handler's carrier call stops too.
      cancellation.cancel(reason);
      reject(reason);
    };
    const onCallerAbort = () => cancel(ConnectError.from(signal?.reason, Code.Canceled));
    const timer =
      timeoutMs !== undefined && timeoutMs > 0
        ? setTimeout(() => cancel(new ConnectError("the operation timed out", Code.DeadlineExceeded)), timeoutMs)
        : undefined;
    if (signal?.aborted) return onCallerAbort();
    signal?.addEventListener("abort", onCallerAbort);

    const contextValues = init.contextValues ?? createContextValues();
    if (timer !== undefined) contextValues.set(deadlineKey, Date.now() + timeoutMs!);
    // Without a caller's signal only the deadline can end the call: the send then gives its
    // carrier call no signal (its own timeout comes first), and none is made here.
    contextValues.set(endsOnlyAtDeadlineKey, signal === undefined);
    const message = create(method.input as DescMessage, input as never);
    const req = new InProcessRequest(method, cancellation, init.header, contextValues, message) as UnaryRequest;
    chain(req).then(
      (res) => finish() && resolve(res),
      // An interceptor's own failure is kept off the caller's side the same way.
      (err: unknown) => finish() && reject(asWireError(err)),
    );
  });
}

/**
 * Only ConnectErrors cross the boundary as they are; anything else is an internal fault whose
 * text stays in this process (and out of the RPC span), as over the network.
 */
function asWireError(err: unknown): ConnectError {
  return err instanceof ConnectError
    ? err
    : new ConnectError("internal error", Code.Internal, undefined, undefined, err);
}
