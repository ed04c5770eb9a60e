import { type Context, SpanStatusCode } from "@opentelemetry/api";
import { type ConversionListener, type ConversionResult, conclude } from "./conversion.js";
import { linkToSend, type Reporting, receiptSpan, reportReceipt } from "./receipt-report.js";
import { applyReceipt, type CarrierReceipt, type DeliveryRecord, type ReceiptOutcome, userScopeOf } from "./record.js";
import type { DeliveryIndex, DeliveryStore } from "./store.js";
import { drainDue, sweepUnconfirmed } from "./sweep.js";
import { createWatchers, type Watch } from "./watchers.js";

/** What the send path knows of a send the carrier accepted. */
export type AcceptedSend = Pick<
  DeliveryRecord,
  | "deliveryId"
  | "provider"
  | "providerMessageId"
  | "channel"
  | "maskedPhone"
  | "country"
  | "caller"
  | "purpose"
  | "userId"
  | "idempotencyKey"
  | "traceId"
  | "spanId"
> & {
  /** The carrier's word for acceptance ("QUEUED", "CREATED"). */
  readonly providerStatus: string;
};

/** What became of a receipt: its effect on a record, or `unknown_message` when no record has its id. */
export type TakeOutcome = ReceiptOutcome | "unknown_message";

export interface DeliveryTrackerOptions extends Reporting {
  readonly store: DeliveryStore;
  /** Whether other replicas change the same records: watches then poll the store too. */
  readonly shared: boolean;
  readonly receiptTimeoutMs: { readonly sms: number; readonly voice: number };
  readonly now: () => number;
  /** How often records past their receipt deadline are marked UNCONFIRMED. */
  readonly sweepEveryMs?: number;
  /** Streams WatchDelivery may hold open at once. */
  readonly maxWatches?: number;
  /**
   * How long after acceptance a send of these callers is judged not converted when no use of
   * its code was reported (Okta's event hook reports the hook's); other sends are not judged.
   */
  readonly conversionWindow?: { readonly ms: number; readonly scopes: ReadonlySet<string> };
  readonly onConcluded?: ConversionListener;
}

export interface DeliveryTracker {
  /** Records an accepted send. Never throws: a send that went out is not failed for its record. */
  accepted(send: AcceptedSend): Promise<void>;
  /** Applies one carrier receipt. Throws when the store cannot be read or written. */
  receive(receipt: CarrierReceipt, trace?: Context): Promise<TakeOutcome>;
  get(deliveryId: string): Promise<DeliveryRecord | undefined>;
  find(index: DeliveryIndex): Promise<string | undefined>;
  /** Decides whether a send's code was used, once; returns whether this call decided it. */
  conclude(deliveryId: string, result: ConversionResult): Promise<boolean>;
  /** A wait for changes to one record, or undefined when too many watches are open. */
  watch(deliveryId: string): Watch | undefined;
  readonly shared: boolean;
  /** Marks records past their receipt deadline UNCONFIRMED, and past their conversion window not converted. */
  sweep(): Promise<number>;
  /** Starts and stops the periodic sweep. */
  start(): void;
  stop(): void;
  readonly store: DeliveryStore;
}

/** Delivery records: made when the carrier accepts, moved by its receipts, read by the API. */
export function createDeliveryTracker(options: DeliveryTrackerOptions): DeliveryTracker {
  const { store, now, logger } = options;
  const watchers = createWatchers(options.maxWatches ?? 1_000);
  let timer: NodeJS.Timeout | undefined;

  /** Applies `receipt` to the record `id`; the span and report are the caller's. */
  async function apply(id: string, receipt: CarrierReceipt, receivedAt: number) {
    // Set by the change, which the store may run more than once: the last run is what was stored.
    let before = undefined as DeliveryRecord | undefined;
    let outcome = "duplicate" as ReceiptOutcome;
    const after = await store.update(id, (current) => {
      before = current;
      const result = applyReceipt(current, receipt, receivedAt);
      outcome = result.outcome;
      return outcome === "duplicate" ? undefined : result.record;
    });
    if (!after || !before) return undefined;
    if (outcome === "applied") watchers.changed(id);
    reportReceipt(options, receipt, before, after, outcome, receivedAt);
    return { outcome, after };
  }

  async function receive(receipt: CarrierReceipt, trace?: Context): Promise<TakeOutcome> {
    const receivedAt = now();
    const span = receiptSpan(receipt, trace);
    try {
      const id = await store.find({ kind: "provider", providerMessageId: receipt.providerMessageId });
      const result = id === undefined ? undefined : await apply(id, receipt, receivedAt);
      if (result) {
        linkToSend(span, result.after);
        span.setAttribute("otp.status", result.after.state).setAttribute("otp.receipt.outcome", result.outcome);
        return result.outcome;
      }
      // Its send may not be recorded yet (a receipt can outrun the carrier's answer): held a
      // few minutes for the record to pick up, then forgotten.
      await store.holdEarly(receipt, receivedAt);
      span.setAttribute("otp.receipt.outcome", "unknown_message");
      logger.info(
        {
          channel: receipt.channel,
          providerMessageId: receipt.providerMessageId,
          providerState: receipt.providerState,
        },
        "delivery receipt for no known send",
      );
      return "unknown_message";
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: "delivery store unavailable" });
      throw err;
    } finally {
      span.end();
    }
  }

  return {
    store,
    shared: options.shared,
    async accepted(send) {
      const at = now();
      const record = newRecord(send, at);
      try {
        const window = options.conversionWindow;
        const judged = window?.scopes.has(userScopeOf(send));
        const deadlines = {
          receiptAt: at + options.receiptTimeoutMs[send.channel],
          conversionAt: judged ? at + window!.ms : undefined,
        };
        const early = await store.create(record, deadlines);
        for (const held of early) await apply(record.deliveryId, held.receipt, held.receivedAt);
      } catch (err) {
        logger.warn(
          { err, deliveryId: send.deliveryId },
          "delivery record not stored; its receipts will not be matched",
        );
      }
    },
    receive,
    conclude: (id, result) => conclude(options, id, result, now()),
    get: (id) => store.get(id),
    find: (index) => store.find(index),
    watch: (id) => watchers.watch(id),
    sweep: () => sweep(options, watchers),
    start() {
      timer ??= setInterval(() => {
        sweep(options, watchers).catch((err: unknown) => logger.warn({ err }, "receipt deadlines could not be swept"));
      }, options.sweepEveryMs ?? 5_000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/** The record of a send just accepted. Every field named, no spread: one literal of one shape. */
function newRecord(send: AcceptedSend, at: number): DeliveryRecord {
  return {
    deliveryId: send.deliveryId,
    provider: send.provider,
    providerMessageId: send.providerMessageId,
    channel: send.channel,
    maskedPhone: send.maskedPhone,
    country: send.country,
    caller: send.caller,
    purpose: send.purpose,
    userId: send.userId,
    idempotencyKey: send.idempotencyKey,
    traceId: send.traceId,
    spanId: send.spanId,
    acceptedAt: at,
    updatedAt: at,
    state: "accepted",
    providerState: send.providerStatus,
    events: [{ state: "accepted", providerState: send.providerStatus, at }],
  };
}

/** Both waits' ends: UNCONFIRMED, and not converted. */
async function sweep(options: DeliveryTrackerOptions, watchers: ReturnType<typeof createWatchers>): Promise<number> {
  const unconfirmed = await sweepUnconfirmed(options, watchers);
  const judged = await drainDue(options.store, options.now, "conversion", (id, at) =>
    conclude(options, id, "not_converted", at),
  );
  return unconfirmed + judged;
}
