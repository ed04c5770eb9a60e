/**
 * What a send can come to, in the gateway's own words. `accepted` and `unconfirmed` are the
 * gateway's (acceptance, and no final receipt in time); the rest come from carrier receipts.
 */
export type DeliveryState =
  | "accepted"
  | "sent"
  | "delivered"
  | "undelivered"
  | "rejected"
  | "expired"
  | "answered"
  | "not_answered"
  | "busy"
  | "failed"
  | "unconfirmed";

/** One receipt from the carrier, read from its webhook body. */
export interface CarrierReceipt {
  readonly channel: "sms" | "voice";
  /** 8x8 SMS umid or voice sessionId. */
  readonly providerMessageId: string;
  /** The carrier's own word, as sent ("delivered", "NO_ANSWER"). */
  readonly providerState: string;
  /** What the word means here; undefined for a word the gateway does not know (kept, moves nothing). */
  readonly state: DeliveryState | undefined;
  readonly detail?: string;
  readonly errorCode?: string;
  readonly errorDescription?: string;
  /** When the carrier says the state was reached (ms since the epoch); undefined when it did not say. */
  readonly at?: number;
  readonly price?: number;
  readonly currency?: string;
  readonly smsCount?: number;
}

/** What a webhook body is: a receipt, an event the gateway does not use, or not a body it can read. */
export type ReceiptReading =
  | { readonly kind: "receipt"; readonly receipt: CarrierReceipt }
  | { readonly kind: "ignored"; readonly eventType: string }
  | { readonly kind: "invalid"; readonly reason: string };
