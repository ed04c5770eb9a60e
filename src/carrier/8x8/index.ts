import { parseLocale, scriptLanguageOf } from "../../i18n/locale.js";
import { type Carrier, CarrierError } from "../carrier.js";
import { createCarrierHttpClient } from "../http-pool.js";
import { clientMessageIdFor } from "./client-message-id.js";
import { createFeedbackPoster, type FeedbackOptions } from "./feedback.js";
import type { EightByEightOptions } from "./options.js";
import { createSmsClient } from "./sms-client.js";
import { createVoiceCatalogue, type VoiceCatalogueOptions } from "./voice-catalogue.js";
import { createVoiceClient } from "./voice-client.js";

export type { EightByEightOptions } from "./options.js";

export const eightByEightProvider = "8x8";

/** The live carrier: 8x8 SMS and Voice APIs, one keep-alive pool per host. */
export function createEightByEightCarrier(
  options: EightByEightOptions,
  now: () => number = Date.now,
  onVoices?: VoiceCatalogueOptions["onRefresh"],
  onFeedback?: FeedbackOptions["onResult"],
): Carrier {
  const provider = eightByEightProvider;
  const pool = { apiKey: options.apiKey, provider, connections: options.connections };
  const smsHttp = createCarrierHttpClient({ origin: options.sms.baseUrl, ...pool });
  const sms = createSmsClient({
    http: smsHttp,
    subaccountId: options.sms.subaccountId,
    source: options.sms.source,
    dlrCallbackUrl: options.sms.dlrCallbackUrl,
    track: options.sms.feedback,
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
  const catalogue = voiceOptions
    ? createVoiceCatalogue({
        http: voiceHttp,
        subaccountId: voiceOptions.subaccountId,
        refreshMs: voiceOptions.profilesRefreshMs ?? 6 * 3_600_000,
        gender: voiceOptions.gender,
        onRefresh: onVoices,
      })
    : undefined;
  const firstReading = catalogue?.refresh() ?? Promise.resolve();
  const feedback = options.sms.feedback
    ? createFeedbackPoster({ http: smsHttp, subaccountId: options.sms.subaccountId, now, onResult: onFeedback })
    : undefined;
  const override = voiceOptions?.profileOverride;
  const overrideLanguage = override ? overrideLanguageOf(override) : undefined;

  return {
    name: provider,
    voiceEnabled: voice !== undefined,
    // One configured voice reads only its own language (or, unknown, whatever it is given).
    speaks: (language) =>
      override
        ? overrideLanguage === undefined || overrideLanguage === language
        : (catalogue?.speaks(language) ?? false),
    ready: () => firstReading,
    voices: () => catalogue?.status() ?? { source: "none", languages: 0, locales: 0 },
    sendSms: (message, sendOptions) =>
      sms.send(
        {
          to: message.to,
          text: message.text,
          clientMessageId: clientMessageIdFor(message.reference),
          expiresAt: message.expiresAt,
          clientIp: message.clientIp || undefined,
        },
        sendOptions,
      ),
    placeVoiceCall: async (call, sendOptions) => {
      if (voice === undefined) {
        throw new CarrierError("disabled", "voice calls are not configured (EIGHTBYEIGHT_VOICE_SOURCE)", {
          provider,
          notSent: true,
        });
      }
      const voiceProfile = override ?? catalogue!.profileFor(call.locale, call.language);
      const accepted = await voice.call(
        { to: call.to, text: call.text, voiceProfile, repetition: call.repetition, expiresAt: call.expiresAt },
        sendOptions,
      );
      return { ...accepted, voiceProfile };
    },
    reportOutcome: feedback ? (umid, converted, acceptedAt) => feedback.report(umid, converted, acceptedAt) : undefined,
    async close() {
      catalogue?.close();
      feedback?.close();
      await Promise.all([smsHttp.close(), voiceHttp === smsHttp ? undefined : voiceHttp.close()]);
    },
  };
}

/** The language a profile name reads ("fr-FR-DeniseNeural" → fr), when its name says. */
function overrideLanguageOf(profile: string): string | undefined {
  const parts = parseLocale(profile.split("-").slice(0, 2).join("-"));
  return parts ? scriptLanguageOf(parts) : undefined;
}
