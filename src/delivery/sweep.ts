import type { Reporting } from "./receipt-report.js";
import { markUnconfirmed } from "./record.js";
import type { DeliveryStore } from "./store.js";
import type { Watchers } from "./watchers.js";

const sweepBatch = 200;
// A sweep does at most this many batches; the rest wait for the next one.
const maxBatches = 10;

/**
 * Marks UNCONFIRMED the records whose receipt deadline passed without a final receipt. Each due
 * record is handed to one replica only (the store sees to it), so each is counted once.
 */
export async function sweepDue(
  options: Reporting & { readonly store: DeliveryStore; readonly now: () => number },
  watchers: Watchers,
): Promise<number> {
  const { store, logger, metrics } = options;
  let marked = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const at = options.now();
    const ids = await store.takeDue(at, sweepBatch);
    for (const id of ids) {
      let changed = false;
      const after = await store.update(id, (r) => {
        const next = markUnconfirmed(r, at);
        changed = next !== undefined;
        return next;
      });
      if (!after || !changed) continue;
      marked += 1;
      watchers.changed(id);
      metrics?.deliveriesUnconfirmed.inc({ channel: after.channel });
      logger.info(
        { deliveryId: id, channel: after.channel, to: after.maskedPhone, providerMessageId: after.providerMessageId },
        "no final receipt in time: unconfirmed",
      );
    }
    if (ids.length < sweepBatch) break;
  }
  return marked;
}
