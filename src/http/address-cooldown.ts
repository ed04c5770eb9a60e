/** Addresses refused for a while, at most `maxAddresses` of them (the oldest forgotten first). */
export function createAddressCooldown(options: { readonly cooldownMs: number; readonly maxAddresses: number }) {
  // Insertion order is expiry order: every address gets the same cool-down.
  const until = new Map<string, number>();
  return {
    add(address: string): void {
      until.delete(address);
      until.set(address, Date.now() + options.cooldownMs);
      if (until.size > options.maxAddresses) until.delete(until.keys().next().value!);
    },
    has(address: string): boolean {
      const expiry = until.get(address);
      if (expiry === undefined) return false;
      if (expiry > Date.now()) return true;
      until.delete(address);
      return false;
    },
  };
}
