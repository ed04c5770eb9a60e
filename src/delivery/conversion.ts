import type { Reporting } from "./receipt-report.js";
import type { DeliveryRecord } from "./record.js";
import type { DeliveryStore } from "./store.js";

export type ConversionResult = "converted" | "not_converted";

/** Told once per send when its conversion is decided (8x8's Feedback API listens here). */
export type ConversionListener = (record: DeliveryRecord, result: ConversionResult) => void;

/**
 * Decides a send's conversion, once: the first report wins (a code used after the window was
 * judged not converted stays not converted), and a repeat changes and counts nothing.
 * Returns whether this call decided it.
 */
export async function conclude(
  options: Reporting & { readonly store: DeliveryStore; readonly onConcluded?: ConversionListener },
  id: string,
  result: ConversionResult,
  at: number,
): Promise<boolean> {
  let decided = false;
  const after = await options.store.update(id, (r) => {
    decided = r.conversion === undefined;
    return decided ? { ...r, conversion: result, convertedAt: at } : undefined;
  });
  if (!after || !decided) return false;
  const { channel, country, maskedPhone } = after;
  options.metrics?.conversions.inc({ channel, country: country || "ZZ", result });
  options.logger.info(
    { deliveryId: id, channel, to: maskedPhone, conversion: result },
    result === "converted"
      ? "delivery converted: its code was used"
      : "delivery not converted: no use of its code reported in time",
  );
  options.onConcluded?.(after, result);
  return true;
}
