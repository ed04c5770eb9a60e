import type { CarrierReceipt, DeliveryState } from "../carrier/receipt.js";

export type { CarrierReceipt, DeliveryState } from "../carrier/receipt.js";

/** One status a send went through, as the record keeps it. */
export interface DeliveryEventEntry {
  /** Undefined for a carrier word the gateway does not know: kept, but it moved nothing. */
  readonly state: DeliveryState | undefined;
  readonly providerState?: string;
  readonly detail?: string;
  readonly errorCode?: string;
  /** The carrier's time for it, else when the gateway took it (ms since the epoch). */
  readonly at: number;
}

/** Everything the gateway keeps of one accepted send. Plain data: it is stored as JSON. */
export interface DeliveryRecord {
  readonly deliveryId: string;
  readonly provider: string;
  readonly providerMessageId: string;
  readonly channel: "sms" | "voice";
  readonly maskedPhone: string;
  /** ISO region; "" for a number of no country. */
  readonly country: string;
  readonly caller: string;
  readonly purpose: string;
  readonly userId: string;
  readonly idempotencyKey: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly acceptedAt: number;
  readonly updatedAt: number;
  readonly state: DeliveryState;
  readonly providerState?: string;
  readonly errorCode?: string;
  readonly errorDescription?: string;
  readonly price?: number;
  readonly currency?: string;
  readonly smsCount?: number;
  /** Whether the code was used: reported by Okta, ReportOutcome or Verify, or judged at the window's end. */
  readonly conversion?: "converted" | "not_converted";
  /** When the conversion was decided; undefined until then. */
  readonly convertedAt?: number;
  readonly events: readonly DeliveryEventEntry[];
}

// How far along a state is. A receipt moves a record only to a higher rank, so duplicates,
// late "sent" receipts and receipts in any order end in the same place. A handset's "delivered"
// (or an answered call) outranks every failure: 8x8 may report a failed route and then the
// backup route's success, but nothing un-delivers a message.
const ranks: Record<DeliveryState, number> = {
  accepted: 0,
  sent: 1,
  unconfirmed: 2,
  undelivered: 3,
  rejected: 3,
  expired: 3,
  not_answered: 3,
  busy: 3,
  failed: 3,
  delivered: 4,
  answered: 4,
};

/** Whether no receipt can change the state any more. */
export const isFinal = (state: DeliveryState): boolean => ranks[state] >= 3;

// A record keeps its first event and the latest ones: a storm of receipts cannot grow it.
export const maxEvents = 16;

export type ReceiptOutcome =
  /** The receipt moved the record to a new state. */
  | "applied"
  /** Recorded in the events, the state unchanged: older, no further, or a word of no meaning. */
  | "recorded"
  /** The same receipt was taken before: nothing changed. */
  | "duplicate";

/** The record after `receipt`, and what the receipt did to it. Pure: the record is not changed. */
export function applyReceipt(
  record: DeliveryRecord,
  receipt: CarrierReceipt,
  receivedAt: number,
): { record: DeliveryRecord; outcome: ReceiptOutcome } {
  const event: DeliveryEventEntry = {
    state: receipt.state,
    providerState: receipt.providerState,
    detail: receipt.detail,
    errorCode: receipt.errorCode,
    at: receipt.at ?? receivedAt,
  };
  if (record.events.some((e) => sameEvent(e, event, receipt.at === undefined))) return { record, outcome: "duplicate" };
  const events = appendEvent(record.events, event);
  const billing = {
    price: receipt.price ?? record.price,
    currency: receipt.currency ?? record.currency,
    smsCount: receipt.smsCount ?? record.smsCount,
  };
  const moves = receipt.state !== undefined && ranks[receipt.state] > ranks[record.state];
  if (!moves) return { record: { ...record, ...billing, events }, outcome: "recorded" };
  return {
    record: {
      ...record,
      ...billing,
      events,
      state: receipt.state!,
      providerState: receipt.providerState,
      errorCode: receipt.errorCode,
      errorDescription: receipt.errorDescription,
      updatedAt: receivedAt,
    },
    outcome: "applied",
  };
}

/** The record marked UNCONFIRMED, or undefined when a receipt already took it further. */
export function markUnconfirmed(record: DeliveryRecord, now: number): DeliveryRecord | undefined {
  if (ranks[record.state] >= ranks.unconfirmed) return undefined;
  const events = appendEvent(record.events, { state: "unconfirmed", at: now });
  return { ...record, state: "unconfirmed", updatedAt: now, events };
}

// A receipt without the carrier's timestamp is the same as an earlier one of the same words:
// 8x8 repeats a receipt with its timestamp, so without one there is nothing else to tell them apart.
function sameEvent(a: DeliveryEventEntry, b: DeliveryEventEntry, ignoreTime: boolean): boolean {
  return (
    a.providerState?.toLowerCase() === b.providerState?.toLowerCase() &&
    a.detail === b.detail &&
    a.errorCode === b.errorCode &&
    (ignoreTime || a.at === b.at)
  );
}

// Events are in the carrier's time order, whatever order its receipts came in; the first is
// always the acceptance, stamped by the gateway's clock.
function appendEvent(events: readonly DeliveryEventEntry[], event: DeliveryEventEntry): DeliveryEventEntry[] {
  const next = [...events];
  let at = next.length;
  while (at > 1 && next[at - 1]!.at > event.at) at -= 1;
  next.splice(at, 0, event);
  return next.length <= maxEvents ? next : [next[0]!, ...next.slice(next.length - maxEvents + 1)];
}

/** The scope of the sends Okta's event hook reports on: any caller's Okta telephony request. */
export const oktaScope = "okta";

/**
 * Whose person a send's user id names, for conversions: Okta's, for the hook's sends whether
 * the hook runs in this process ("okta-hook") or in a façade (its own API key name); the
 * caller's own otherwise.
 */
export function userScopeOf(send: { readonly caller: string; readonly purpose: string }): string {
  return send.purpose.startsWith("com.okta.user.telephony.") ? oktaScope : send.caller;
}
