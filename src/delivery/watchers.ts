/** A wait for one record to change, made by WatchDelivery. */
export interface Watch {
  /** Resolves when the record changes in this process, after `ms`, or on `signal`, whichever is first. */
  next(ms: number, signal?: AbortSignal): Promise<void>;
  close(): void;
}

/**
 * Who waits on which record in this process, woken when a change is made here. A change made
 * on another replica is seen by the watch's own polling (shared store only). At most `max`
 * watches at once: each holds an open stream.
 */
export function createWatchers(max: number) {
  const waiting = new Map<string, Set<() => void>>();
  let open = 0;
  return {
    /** A watch on `deliveryId`, or undefined when `max` are open already. */
    watch(deliveryId: string): Watch | undefined {
      if (open >= max) return undefined;
      open += 1;
      let closed = false;
      return {
        next(ms, signal) {
          return new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              signal?.removeEventListener("abort", done);
              const set = waiting.get(deliveryId);
              set?.delete(done);
              if (set?.size === 0) waiting.delete(deliveryId);
              resolve();
            };
            const timer = setTimeout(done, Math.max(0, ms));
            signal?.addEventListener("abort", done, { once: true });
            const set = waiting.get(deliveryId) ?? new Set<() => void>();
            waiting.set(deliveryId, set);
            set.add(done);
          });
        },
        close() {
          if (closed) return;
          closed = true;
          open -= 1;
        },
      };
    },
    /** Wakes every watch on `deliveryId`. */
    changed(deliveryId: string): void {
      const set = waiting.get(deliveryId);
      if (!set) return;
      for (const wake of [...set]) wake();
    },
    open: () => open,
  };
}

export type Watchers = ReturnType<typeof createWatchers>;
