import { type Carrier, CarrierError } from "../carrier.js";
import { createCarrierHttpClient } from "../http-pool.js";
import { clientMessageIdFor } from "./client-message-id.js";
import type { EightByEightOptions } from "./options.js";
import { createSmsClient } from "./sms-client.js";
import { createVoiceClient } from "./voice-client.js";
import { voiceProfileFor } from "./voice-profiles.js";

export type { EightByEightOptions } from "./options.js";

export const eightByEightProvider = "8x8";

/** The live carrier: 8x8 SMS and Voice APIs, one keep-alive pool per host. */
export function createEightByEightCarrier(options: EightByEightOptions, now: () => number = Date.now): Carrier {
  const provider = eightByEightProvider;
  const pool = { apiKey: options.apiKey, provider, connections: options.connections };
  const smsHttp = createCarrierHttpClient({ origin: options.sms.baseUrl, ...pool });
  const sms = createSmsClient({
    http: smsHttp,
    subaccountId: options.sms.subaccountId,
    source: options.sms.source,
    provider,
    now,
  });
  const voiceOptions = options.voice;
  // SMS and voice may share a host (tests, proxies); one pool per host either way.
  const voiceHttp =
    voiceOptions === undefined || voiceOptions.baseUrl === options.sms.baseUrl
      ? smsHttp
      : createCarrierHttpClient({ origin: voiceOptions.baseUrl, ...pool });
  const voice = voiceOptions
    ? createVoiceClient({
        http: voiceHttp,
        subaccountId: voiceOptions.subaccountId,
        source: voiceOptions.source,
        provider,
        now,
      })
    : undefined;

  return {
    name: provider,
    voiceEnabled: voice !== undefined,
    sendSms: (message, sendOptions) =>
      sms.send(
        {
          to: message.to,
          text: message.text,
          clientMessageId: clientMessageIdFor(message.reference),
          expiresAt: message.expiresAt,
        },
        sendOptions,
      ),
    placeVoiceCall: (call, sendOptions) => {
      if (voice === undefined) {
        return Promise.reject(
          new CarrierError("disabled", "voice calls are not configured (EIGHTBYEIGHT_VOICE_SOURCE)", {
            provider,
            notSent: true,
          }),
        );
      }
      const voiceProfile = voiceProfileFor(call.locale, voiceOptions?.profileOverride);
      return voice.call(
        { to: call.to, text: call.text, voiceProfile, repetition: call.repetition, expiresAt: call.expiresAt },
        sendOptions,
      );
    },
    async close() {
      await Promise.all([smsHttp.close(), voiceHttp === smsHttp ? undefined : voiceHttp.close()]);
    },
  };
}
