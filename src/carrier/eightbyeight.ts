import type { EightByEightConfig } from "../config.js";
import { CarrierError, type Carrier } from "./carrier.js";
import { createCarrierHttpClient } from "./http-pool.js";
import { createSmsClient } from "./sms-client.js";
import { createVoiceClient } from "./voice-client.js";

export const eightByEightProvider = "8x8";

/** The live carrier: 8x8 SMS and Voice APIs, one keep-alive pool per host. */
export function createEightByEightCarrier(config: EightByEightConfig, now: () => number = Date.now): Carrier {
  const provider = eightByEightProvider;
  const smsHttp = createCarrierHttpClient({ origin: config.sms.baseUrl, apiKey: config.apiKey, provider });
  const sms = createSmsClient({
    http: smsHttp,
    subaccountId: config.sms.subaccountId,
    ...(config.sms.source ? { source: config.sms.source } : {}),
    provider,
    now,
  });
  const voiceConfig = config.voice;
  // SMS and voice may share a host (tests, proxies); one pool per host either way.
  const voiceHttp =
    voiceConfig === undefined || voiceConfig.baseUrl === config.sms.baseUrl
      ? smsHttp
      : createCarrierHttpClient({ origin: voiceConfig.baseUrl, apiKey: config.apiKey, provider });
  const voice = voiceConfig
    ? createVoiceClient({ http: voiceHttp, subaccountId: voiceConfig.subaccountId, source: voiceConfig.source, provider, now })
    : undefined;

  return {
    name: provider,
    voiceEnabled: voice !== undefined,
    sendSms: (message, options) => sms.send(message, options),
    placeVoiceCall: (call, options) => {
      if (voice === undefined) {
        return Promise.reject(
          new CarrierError("disabled", "voice calls are not configured (EIGHTBYEIGHT_VOICE_SOURCE)", { provider, notSent: true }),
        );
      }
      return voice.call(call, options);
    },
    async close() {
      await Promise.all([smsHttp.close(), voiceHttp === smsHttp ? undefined : voiceHttp.close()]);
    },
  };
}
