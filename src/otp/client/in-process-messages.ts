import type { DescService } from "@bufbuild/protobuf";
import { createContextKey, type HandlerContext, type UnaryRequest, type UnaryResponse } from "@connectrpc/connect";

// When the call must be over (epoch ms), for the handler's `timeoutMs()`.
export const deadlineKey = createContextKey<number | undefined>(undefined, { description: "in-process deadline" });

type HeaderInit = ConstructorParameters<typeof Headers>[0];

/**
 * A call's cancellation, its AbortSignal made only when someone reads it: a signal, and the
 * listener the carrier call puts on it, cost more than the rest of the in-process call (bench/README.md),
 * and a façade whose calls end only at their deadline never needs one.
 */
export class LazyCancellation {
  #controller: AbortController | undefined;
  #reason: unknown;
  #cancelled = false;

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#cancelled) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Aborts the signal if one was made, and any made later. `reason` must not be undefined. */
  cancel(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

// The request, context and response are classes rather than object literals with getters. A
// literal's getters are new closures on every call, so V8 cannot share one hidden class between
// the objects; every call's objects then survived two young-generation collections and were
// only freed by a full one, which made the façade's scavenge pauses far longer
// (test/otp/in-process-transport.test.ts measures what a finished call leaves behind). The
// header getter lives on the prototype, so an interceptor that passes on a spread copy of the
// request (`{ ...req }`) would drop it: pass the request itself, as Connect's own examples do.

/** What the server side sees, as it would over a socket: its own headers and context values. */
export class InProcessRequest {
  readonly stream = false;
  readonly requestMethod = "POST";
  readonly service: DescService;
  readonly url: string;
  #init: HeaderInit;
  #header: Headers | undefined;
  readonly #cancellation: LazyCancellation;

  constructor(
    readonly method: UnaryRequest["method"],
    cancellation: LazyCancellation,
    init: HeaderInit,
    readonly contextValues: UnaryRequest["contextValues"],
    readonly message: UnaryRequest["message"],
  ) {
    this.service = method.parent;
    this.url = `in-process:///${method.parent.typeName}/${method.name}`;
    this.#init = init;
    this.#cancellation = cancellation;
  }

  get signal(): AbortSignal {
    return this.#cancellation.signal;
  }

  // Built only when read: nothing on the façade's path reads them, and three Headers per call
  // were a large part of the transport's allocation.
  get header(): Headers {
    this.#header ??= new Headers(this.#init);
    return this.#header;
  }
}

export class InProcessContext implements HandlerContext {
  readonly protocolName = "in-process";
  readonly requestMethod = "POST";
  readonly service: DescService;
  readonly method: HandlerContext["method"];
  readonly url: string;
  readonly values: HandlerContext["values"];
  readonly #request: UnaryRequest;
  readonly #deadline: number | undefined;
  #responseHeader: Headers | undefined;
  #responseTrailer: Headers | undefined;

  constructor(req: UnaryRequest) {
    this.service = req.service;
    this.method = req.method as HandlerContext["method"];
    this.url = req.url;
    this.values = req.contextValues;
    this.#request = req;
    this.#deadline = req.contextValues.get(deadlineKey);
  }

  // Read through to the request: only a handler that reads it makes the signal.
  get signal(): AbortSignal {
    return this.#request.signal;
  }

  timeoutMs(): number | undefined {
    return this.#deadline === undefined ? undefined : this.#deadline - Date.now();
  }

  get requestHeader(): Headers {
    return this.#request.header;
  }

  get responseHeader(): Headers {
    this.#responseHeader ??= new Headers();
    return this.#responseHeader;
  }

  get responseTrailer(): Headers {
    this.#responseTrailer ??= new Headers();
    return this.#responseTrailer;
  }
}

export class InProcessResponse {
  readonly stream = false;
  readonly service: DescService;
  readonly method: UnaryRequest["method"];
  readonly #context: InProcessContext;

  constructor(
    req: UnaryRequest,
    context: InProcessContext,
    readonly message: UnaryResponse["message"],
  ) {
    this.service = req.service;
    this.method = req.method;
    this.#context = context;
  }

  get header(): Headers {
    return this.#context.responseHeader;
  }

  get trailer(): Headers {
    return this.#context.responseTrailer;
  }
}
