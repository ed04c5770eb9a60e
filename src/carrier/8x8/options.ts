/** What the 8x8 carrier needs: its key, and per API the host, subaccount and sender. */
export interface EightByEightOptions {
  readonly mode: "8x8";
  readonly apiKey: string;
  readonly sms: {
    readonly baseUrl: string;
    readonly subaccountId: string;
    readonly source?: string;
    /** Where 8x8 posts this gateway's SMS receipts (PUBLIC_BASE_URL), instead of the account's webhook. */
    readonly dlrCallbackUrl?: string;
    /** SMS sent with `track: "Outcome"`, and conversions posted to 8x8's Feedback API. */
    readonly feedback?: boolean;
  };
  /** Undefined when no voice caller id is configured: voice sends are then refused. */
  readonly voice?: {
    readonly baseUrl: string;
    readonly subaccountId: string;
    readonly source: string;
    /** One speech profile for every call, whatever the locale. */
    readonly profileOverride?: string;
    /** How often the subaccount's speech profiles are read again (EIGHTBYEIGHT_VOICE_PROFILES_REFRESH_MS). */
    readonly profilesRefreshMs?: number;
    /** "female" or "male", preferred where a locale has both (EIGHTBYEIGHT_VOICE_GENDER). */
    readonly gender?: string;
  };
  /**
   * Sockets per 8x8 host. Sized to the sends allowed in flight (MAX_CONCURRENT_SENDS), so a
   * send never queues for a socket behind others: with a 20 ms answer, 128 callers on 64
   * sockets waited in the pool while the CPU sat idle.
   */
  readonly connections?: number;
}
