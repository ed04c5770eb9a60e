import type { Reporting } from "./receipt-report.js";
import { markUnconfirmed } from "./record.js";
import type { DeliveryStore, DueKind } from "./store.js";
import type { Watchers } from "./watchers.js";

const sweepBatch = 200;
// A sweep does at most this many batches; the rest wait for the next one.
const maxBatches = 10;

/**
 * Hands each record whose `kind` of wait ended to `handle`, in batches. The store hands each
 * due record to one replica only, so each is handled (and counted) once. Returns how many
 * `handle` said it changed.
 */
export async function drainDue(
  store: DeliveryStore,
  now: () => number,
  kind: DueKind,
  handle: (id: string, at: number) => Promise<boolean>,
): Promise<number> {
  let changed = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const at = now();
    const ids = await store.takeDue(at, sweepBatch, kind);
    for (const id of ids) if (await handle(id, at)) changed += 1;
    if (ids.length < sweepBatch) break;
  }
  return changed;
}

/** Marks UNCONFIRMED the records whose receipt deadline passed without a final receipt. */
export function sweepUnconfirmed(
  options: Reporting & { readonly store: DeliveryStore; readonly now: () => number },
  watchers: Watchers,
): Promise<number> {
  const { store, logger, metrics } = options;
  return drainDue(store, options.now, "receipt", async (id, at) => {
    let changed = false;
    const after = await store.update(id, (r) => {
      const next = markUnconfirmed(r, at);
      changed = next !== undefined;
      return next;
    });
    if (!after || !changed) return false;
    watchers.changed(id);
    metrics?.deliveriesUnconfirmed.inc({ channel: after.channel });
    logger.info(
      { deliveryId: id, channel: after.channel, to: after.maskedPhone, providerMessageId: after.providerMessageId },
      "no final receipt in time: unconfirmed",
    );
    return true;
  });
}
