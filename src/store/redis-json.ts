import type { Redis } from "ioredis";

// Writes `ARGV[2]` only if the key still holds `ARGV[1]`, what the change was computed from.
const compareAndSetScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 1
end
return 0`;

/** A change to a stored value: the value to store, or undefined to leave it. May run more than once. */
export type JsonChange<T> = (current: T) => T | undefined;

/**
 * Read-change-write of one JSON value, atomic across replicas: the change is computed here
 * from what was read and written only if the value is still that, else computed again from the
 * winner's result. The rule stays in TypeScript, the same as the memory store runs it.
 * Returns the value as stored after, undefined when the key is absent.
 */
export function createJsonUpdate(redis: Redis, maxRounds: number) {
  redis.defineCommand("otpJsonCas", { numberOfKeys: 1, lua: compareAndSetScript });
  const cas = redis as unknown as { otpJsonCas(key: string, expected: string, next: string): Promise<number> };
  return async function update<T>(key: string, change: JsonChange<T>): Promise<T | undefined> {
    for (let round = 0; round < maxRounds; round++) {
      const text = await redis.get(key);
      if (text === null) return undefined;
      const current = JSON.parse(text) as T;
      const next = change(current);
      if (next === undefined) return current;
      if ((await cas.otpJsonCas(key, text, JSON.stringify(next))) === 1) return next;
    }
    throw new Error(`${key.split(":")[0]} kept changing under this update`);
  };
}
