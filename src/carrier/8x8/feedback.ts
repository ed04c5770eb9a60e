import type { CarrierHttpClient } from "../http-pool.js";

/** What became of one conversion told to 8x8: the labels of otp_feedback_posts_total. */
export type FeedbackOutcome = "sent" | "rejected" | "expired" | "dropped";

export interface FeedbackOptions {
  readonly http: CarrierHttpClient;
  readonly subaccountId: string;
  readonly now: () => number;
  readonly onResult?: (outcome: FeedbackOutcome, status?: number) => void;
  /** Conversions waiting at once; past it new ones are dropped (counted). */
  readonly maxQueued?: number;
}

// 8x8 takes feedback within 15 minutes of the SMS.
const windowMs = 15 * 60_000;
const attemptTimeoutMs = 5_000;
const backoffMs = [1_000, 5_000, 30_000, 60_000];

interface Pending {
  readonly umid: string;
  readonly outcome: "success" | "failure";
  readonly deadline: number;
  attempts: number;
}

/**
 * Tells 8x8's SMS Feedback API whether each code was used (`POST …/messages/{umid}/feedback`),
 * off the send path: a bounded queue, one post at a time, retried only where 8x8 did not take
 * it (no answer, 429, 5xx) and only within 8x8's 15 minutes; a 4xx is final.
 */
export function createFeedbackPoster(options: FeedbackOptions) {
  const queue: Pending[] = [];
  const maxQueued = options.maxQueued ?? 1_000;
  let running = false;
  let closed = false;
  const path = (umid: string) =>
    `/api/v1/subaccounts/${encodeURIComponent(options.subaccountId)}/messages/${encodeURIComponent(umid)}/feedback`;

  async function attempt(item: Pending): Promise<"done" | "retry"> {
    try {
      const res = await options.http.postJson(
        path(item.umid),
        { outcome: item.outcome },
        { timeoutMs: attemptTimeoutMs },
      );
      const final = res.status < 500 && res.status !== 429;
      if (final) options.onResult?.(res.status < 300 ? "sent" : "rejected", res.status);
      if (final) return "done";
    } catch {
      // No answer: 8x8 may not have it; tried again while there is time.
    }
    return "retry";
  }

  async function drain(): Promise<void> {
    running = true;
    while (!closed && queue.length > 0) {
      const item = queue.shift()!;
      if (options.now() >= item.deadline) {
        options.onResult?.("expired");
        continue;
      }
      if ((await attempt(item)) === "done") continue;
      const wait = backoffMs[Math.min(item.attempts, backoffMs.length - 1)]!;
      item.attempts += 1;
      if (options.now() + wait >= item.deadline) {
        options.onResult?.("expired");
        continue;
      }
      setTimeout(() => enqueue(item), wait).unref();
    }
    running = false;
  }

  function enqueue(item: Pending): void {
    if (closed) return;
    if (queue.length >= maxQueued) {
      options.onResult?.("dropped");
      return;
    }
    queue.push(item);
    if (!running) void drain();
  }

  return {
    /** Queues the conversion of the SMS `umid`, accepted at `acceptedAt`. */
    report(umid: string, converted: boolean, acceptedAt: number): void {
      const deadline = acceptedAt + windowMs;
      if (options.now() >= deadline) {
        options.onResult?.("expired");
        return;
      }
      enqueue({ umid, outcome: converted ? "success" : "failure", deadline, attempts: 0 });
    },
    close(): void {
      closed = true;
      queue.length = 0;
    },
  };
}
