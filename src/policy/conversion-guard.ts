/**
 * The conversion guard: when fewer than `minConversion` of the last `sample` decided sends to a
 * country were converted, sends to it are refused for `cooldownMs`. A country with fewer than
 * `sample` decided sends is never judged. Implementations share their state across replicas
 * (Redis) or keep it in this process.
 */
export interface ConversionGuard {
  /** Milliseconds the country is still refused for, or undefined when it is not. */
  blockedFor(country: string): Promise<number | undefined>;
  /** Counts one decided send; true when this one put the country in its cool-down. */
  record(country: string, converted: boolean): Promise<boolean>;
}

export interface GuardSettings {
  readonly sample: number;
  readonly minConversion: number;
  readonly cooldownMs: number;
}

// More than there are regions (and "ZZ", "001"): a guard never has to forget a country.
const maxCountries = 512;

/** The guard in this process: a ring of the last outcomes per country. */
export function createMemoryConversionGuard(settings: GuardSettings, now: () => number = Date.now): ConversionGuard {
  const countries = new Map<string, { outcomes: Uint8Array; next: number; filled: number; until: number }>();
  return {
    async blockedFor(country) {
      const left = (countries.get(country)?.until ?? 0) - now();
      return left > 0 ? left : undefined;
    },
    async record(country, converted) {
      let state = countries.get(country);
      if (!state) {
        if (countries.size >= maxCountries) return false;
        state = { outcomes: new Uint8Array(settings.sample), next: 0, filled: 0, until: 0 };
        countries.set(country, state);
      }
      state.outcomes[state.next] = converted ? 1 : 0;
      state.next = (state.next + 1) % settings.sample;
      state.filled = Math.min(settings.sample, state.filled + 1);
      if (state.filled < settings.sample || state.until > now()) return false;
      const share = state.outcomes.reduce((a, b) => a + b, 0) / settings.sample;
      if (share >= settings.minConversion) return false;
      state.until = now() + settings.cooldownMs;
      return true;
    },
  };
}
