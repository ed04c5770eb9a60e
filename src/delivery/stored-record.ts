import { ownString } from "../own-string.js";
import type { DeliveryRecord } from "./record.js";
import type { Deadlines } from "./store.js";

/**
 * A record as the memory store holds it: one object of one shape (a spread literal took three
 * times the bytes), the strings that came from the request its own copies (a view into the
 * request's body kept the whole body: 2 KB a record), the same object in the store's map and
 * queues for its whole life, its changing part moved in place by receipts.
 */
export class StoredRecord implements DeliveryRecord {
  readonly deliveryId: string;
  readonly provider: string;
  readonly providerMessageId: string;
  readonly channel: "sms" | "voice";
  readonly maskedPhone: string;
  readonly country: string;
  readonly caller: string;
  readonly purpose: string;
  readonly userId: string;
  readonly idempotencyKey: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly acceptedAt: number;
  /** When a send with no final receipt by then becomes UNCONFIRMED. */
  readonly dueAt: number;
  /** When a send whose code was not reported used by then is judged not converted. */
  readonly conversionDueAt: number | undefined;
  updatedAt: number;
  state: DeliveryRecord["state"];
  providerState: string | undefined;
  errorCode: string | undefined;
  errorDescription: string | undefined;
  price: number | undefined;
  currency: string | undefined;
  smsCount: number | undefined;
  conversion: DeliveryRecord["conversion"];
  convertedAt: number | undefined;
  events: DeliveryRecord["events"];

  constructor(r: DeliveryRecord, deadlines: Deadlines) {
    this.deliveryId = r.deliveryId;
    this.provider = r.provider;
    this.providerMessageId = ownString(r.providerMessageId);
    this.channel = r.channel;
    this.maskedPhone = ownString(r.maskedPhone);
    this.country = r.country;
    this.caller = r.caller;
    this.purpose = ownString(r.purpose);
    this.userId = ownString(r.userId);
    this.idempotencyKey = ownString(r.idempotencyKey);
    this.traceId = r.traceId;
    this.spanId = r.spanId;
    this.acceptedAt = r.acceptedAt;
    this.dueAt = deadlines.receiptAt;
    this.conversionDueAt = deadlines.conversionAt;
    this.updatedAt = r.updatedAt;
    this.state = r.state;
    this.providerState = r.providerState;
    this.errorCode = r.errorCode;
    this.errorDescription = r.errorDescription;
    this.price = r.price;
    this.currency = r.currency;
    this.smsCount = r.smsCount;
    this.conversion = r.conversion;
    this.convertedAt = r.convertedAt;
    this.events = r.events;
  }

  /** Takes the changing part of `next`; who the record is about never changes. */
  moveTo(next: DeliveryRecord): void {
    this.updatedAt = next.updatedAt;
    this.state = next.state;
    this.providerState = next.providerState;
    this.errorCode = next.errorCode;
    this.errorDescription = next.errorDescription;
    this.price = next.price;
    this.currency = next.currency;
    this.smsCount = next.smsCount;
    this.conversion = next.conversion;
    this.convertedAt = next.convertedAt;
    this.events = next.events;
  }

  /** The record as plain data, which later receipts do not change under its reader. */
  snapshot(): DeliveryRecord {
    const { dueAt: _, conversionDueAt: __, ...record } = this;
    return record;
  }
}
