import { describe, expect, it } from "vitest";
import { Channel } from "../gen/otp/v1/otp_pb.js";
import { ConfigError, loadConfig } from "../src/config/index.js";
import { languageChain, languages } from "../src/i18n/locale.js";
import { voiceScript } from "../src/otp/voice-script.js";
import { rpcClient, useFakeCarrier } from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";

// GSM 03.38's basic set: a text of only these is one 160-character segment; anything else is UCS-2 (70).
const gsm7 = new Set([
  ..."@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
]);
const once = (text: string, placeholder: string) => text.split(placeholder).length === 2;

describe("the built-in languages", () => {
  it.each(Object.entries(languages))("%s: placeholders once, the digits apart and twice, one SMS segment", (key, l) => {
    expect(once(l.voice.first, "{digits}")).toBe(true);
    expect(once(l.voice.repeat, "{digits}")).toBe(true);
    expect(once(l.sms, "{code}")).toBe(true);
    const script = voiceScript("4829", key);
    expect(script.split(["4", "8", "2", "9"].join(l.voice.pause)).length).toBe(3);
    if (key !== "en") expect(script).not.toContain("verification code");
    const sms = l.sms.replace("{code}", "1234567890");
    expect(sms.length).toBeLessThanOrEqual([...sms].every((c) => gsm7.has(c)) ? 160 : 70);
  });

  it.each([
    ["fr", ["fr", "en"]],
    ["FR-ca", ["fr", "en"]],
    ["pt_BR", ["pt-BR", "pt-PT", "en"]],
    ["pt-PT", ["pt-PT", "pt-BR", "en"]],
    ["zh-Hant-TW", ["zh-TW", "zh-CN", "en"]],
    ["zh-HK", ["zh-TW", "zh-CN", "en"]],
    ["zh", ["zh-CN", "zh-TW", "en"]],
    ["no-NO", ["nb", "en"]],
    ["EN-US", ["en"]],
    ["xx-YY", ["en"]],
    ["", ["en"]],
    ["1234", ["en"]],
  ])("matches %j loosely: %j", (locale, chain) => {
    expect(languageChain(locale)).toEqual(chain);
  });
});

describe("calls in the person's language", () => {
  const carrier = useFakeCarrier();
  const callOf = (i: number) => (carrier.fake.requests[i]!.body as any).callflow[1].params;

  it.each([
    ["fr-FR", "Votre code de vérification est : 4, 8, 2, 9, 1, 3.", "fr-FR-DeniseNeural"],
    ["fr-CA", "Votre code de vérification est", "fr-CA-SylvieNeural"],
    ["de", "Ihr Bestätigungscode lautet: 4, 8, 2, 9, 1, 3.", "de-DE-ConradNeural"],
    ["ja-JP", "確認コードは、4、8、2、9、1、3です。", "ja-JP-NanamiNeural"],
    ["pt_BR", "Seu código de verificação é: 4, 8, 2, 9, 1, 3.", "pt-BR-FranciscaNeural"],
    ["zh-TW", "您的驗證碼是：4，8，2，9，1，3。", "zh-TW-HsiaoChenNeural"],
    ["xx-YY", "Your verification code is: 4, 8, 2, 9, 1, 3.", "en-US-Jenny"],
  ])("%s: the script and a voice of that locale from 8x8's list", async (locale, text, profile) => {
    const gw = await carrier.gateway();
    const res = await postHook(gw.httpUrl, oktaHookBody({ deliveryChannel: "Voice", locale, otpCode: "482913" }));
    expect(res.json.commands[0].value[0].status).toBe("SUCCESSFUL");
    expect(callOf(0).text).toContain(text);
    expect(callOf(0).text.split("4").length).toBe(3); // the code twice
    expect(callOf(0).voiceProfile).toBe(profile);
    const line = gw.logs.map((l) => JSON.parse(l)).find((l) => l.msg === "carrier accepted the send");
    expect(line).toMatchObject({ voiceProfile: profile });
  });

  it("prefers EIGHTBYEIGHT_VOICE_GENDER where a locale has both", async () => {
    const gw = await carrier.gateway({ EIGHTBYEIGHT_VOICE_GENDER: "female" });
    await postHook(gw.httpUrl, oktaHookBody({ deliveryChannel: "Voice", locale: "de-DE" }));
    expect(callOf(0).voiceProfile).toBe("de-DE-KatjaNeural");
  });

  it.each([
    ["down", { kind: "down" as const }],
    ["garbage", { kind: "garbage" as const }],
  ])(
    "speech profiles %s at start-up: built-in voices, a warning, then the list without a restart",
    async (_, answer) => {
      carrier.fake.speechProfiles(answer);
      const gw = await carrier.gateway({ EIGHTBYEIGHT_VOICE_PROFILES_REFRESH_MS: "200" });
      expect(gw.logs.some((l) => l.includes("speech profiles could not be read"))).toBe(true);
      await postHook(gw.httpUrl, oktaHookBody({ deliveryChannel: "Voice", locale: "fr-FR" }));
      // No French voice is known without the list: English, read by a voice 8x8 is known to have.
      expect(callOf(0).text).toContain("Your verification code is");
      expect(callOf(0).voiceProfile).toBe("en-US-Jenny");
      const ready = (await fetch(`${gw.httpUrl}/readyz`).then((r) => r.json())) as { voices: unknown };
      expect(ready.voices).toMatchObject({ source: "built-in" });

      carrier.fake.speechProfiles({
        kind: "list",
        profiles: [{ speechProfileCode: "fr-FR-Julie", localeCode: "fr-FR" }],
      });
      // Other tests' gateways read the list too: wait on this gateway's own /readyz.
      const source = async () =>
        ((await fetch(`${gw.httpUrl}/readyz`).then((r) => r.json())) as { voices: { source: string } }).voices.source;
      for (let i = 0; i < 100 && (await source()) !== "8x8"; i++) await new Promise((r) => setTimeout(r, 50));
      await postHook(gw.httpUrl, oktaHookBody({ deliveryChannel: "Voice", locale: "fr-FR" }));
      expect(callOf(1).text).toContain("Votre code");
      expect(callOf(1).voiceProfile).toBe("fr-FR-Julie");
      const after = (await fetch(`${gw.httpUrl}/readyz`).then((r) => r.json())) as { voices: unknown };
      expect(after.voices).toEqual({ source: "8x8", languages: 1, locales: 1 });
    },
  );
});

describe("SMS templates per language for callers who send no text", () => {
  const carrier = useFakeCarrier();
  const smsText = () => (carrier.fake.requests.at(-1)!.body as { text: string }).text;

  it("sends the Spanish template for locale es, the operator's where set, English otherwise", async () => {
    const gw = await carrier.gateway({ OTP_SMS_TEMPLATES: JSON.stringify({ fr: "Acme : votre code {code}" }) });
    const client = rpcClient(gw);
    const send = (locale: string) =>
      client.sendOtp({ channel: Channel.SMS, phoneNumber: "+447400123456", code: "2468", locale });
    await send("es");
    expect(smsText()).toBe("Su código de verificación es 2468");
    await send("fr-BE");
    expect(smsText()).toBe("Acme : votre code 2468");
    await send("xx");
    expect(smsText()).toBe("Your verification code is 2468");
  });

  it.each([
    [{ OTP_SMS_TEMPLATES: "{nope" }, /OTP_SMS_TEMPLATES: must be a JSON object/],
    [{ OTP_SMS_TEMPLATES: '{"xx": "code {code}"}' }, /"xx" is not one of the languages/],
    [{ OTP_SMS_TEMPLATES: '{"fr": "pas de code"}' }, /"fr" template must be text with \{code\} exactly once/],
    [{ OTP_SMS_TEMPLATES_FILE: "/nonexistent/templates.json" }, /OTP_SMS_TEMPLATES_FILE: cannot be read \(ENOENT\)/],
  ])("refuses bad templates at start-up: %j", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
