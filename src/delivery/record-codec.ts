import type { DeliveryEventEntry, DeliveryRecord } from "./record.js";

// A record as a JSON array of its fields in this order (an object's keys would double its
// bytes); an absent field is null. Events are arrays too: state, carrier word, detail, code, time.
type Encoded = [
  deliveryId: string,
  provider: string,
  providerMessageId: string,
  channel: DeliveryRecord["channel"],
  maskedPhone: string,
  country: string,
  caller: string,
  purpose: string,
  userId: string,
  idempotencyKey: string,
  traceId: string,
  spanId: string,
  acceptedAt: number,
  updatedAt: number,
  state: DeliveryRecord["state"],
  providerState: string | null,
  errorCode: string | null,
  errorDescription: string | null,
  price: number | null,
  currency: string | null,
  smsCount: number | null,
  conversion: DeliveryRecord["conversion"] | null,
  convertedAt: number | null,
  events: EncodedEvent[],
];
type EncodedEvent = [DeliveryEventEntry["state"] | null, string | null, string | null, string | null, number];

/**
 * The record as one JSON text. JSON.stringify escapes a lone surrogate, so the text is always
 * well-formed and survives UTF-8 unchanged.
 */
export function encodeRecord(r: DeliveryRecord): string {
  const encoded: Encoded = [
    r.deliveryId,
    r.provider,
    r.providerMessageId,
    r.channel,
    r.maskedPhone,
    r.country,
    r.caller,
    r.purpose,
    r.userId,
    r.idempotencyKey,
    r.traceId,
    r.spanId,
    r.acceptedAt,
    r.updatedAt,
    r.state,
    r.providerState ?? null,
    r.errorCode ?? null,
    r.errorDescription ?? null,
    r.price ?? null,
    r.currency ?? null,
    r.smsCount ?? null,
    r.conversion ?? null,
    r.convertedAt ?? null,
    r.events.map((e) => [e.state ?? null, e.providerState ?? null, e.detail ?? null, e.errorCode ?? null, e.at]),
  ];
  return JSON.stringify(encoded);
}

/** The record `encodeRecord` made `text` of: every field named, one shape. */
export function decodeRecord(text: string): DeliveryRecord {
  const e = JSON.parse(text) as Encoded;
  return {
    deliveryId: e[0],
    provider: e[1],
    providerMessageId: e[2],
    channel: e[3],
    maskedPhone: e[4],
    country: e[5],
    caller: e[6],
    purpose: e[7],
    userId: e[8],
    idempotencyKey: e[9],
    traceId: e[10],
    spanId: e[11],
    acceptedAt: e[12],
    updatedAt: e[13],
    state: e[14],
    providerState: e[15] ?? undefined,
    errorCode: e[16] ?? undefined,
    errorDescription: e[17] ?? undefined,
    price: e[18] ?? undefined,
    currency: e[19] ?? undefined,
    smsCount: e[20] ?? undefined,
    conversion: e[21] ?? undefined,
    convertedAt: e[22] ?? undefined,
    events: e[23].map(decodeEvent),
  };
}

function decodeEvent(e: EncodedEvent): DeliveryEventEntry {
  return {
    state: e[0] ?? undefined,
    providerState: e[1] ?? undefined,
    detail: e[2] ?? undefined,
    errorCode: e[3] ?? undefined,
    at: e[4],
  };
}
