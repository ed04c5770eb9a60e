/**
 * What the gateway says, per language: the voice script (read twice: the first sentence, then
 * the repeat, each holding `{digits}` once) with the language's own pause between digits, and
 * the SMS template for callers who send no text (`{code}` once). Written by us and read back
 * per language; no translation service is called at run time.
 *
 * `voiceLocale` is the locale whose voice reads the script when the person's own locale has
 * none (a "fr-BE" person hears a "fr-FR" voice).
 */
export interface Language {
  readonly voice: { readonly first: string; readonly repeat: string; readonly pause: string };
  readonly sms: string;
  readonly voiceLocale: string;
}

const latin = ", ";

export const languages: Readonly<Record<string, Language>> = {
  ar: {
    voice: { first: "رمز التحقق الخاص بك هو: {digits}.", repeat: "مرة أخرى، رمزك هو: {digits}.", pause: "، " },
    sms: "رمز التحقق الخاص بك هو {code}",
    voiceLocale: "ar-SA",
  },
  cs: {
    voice: { first: "Váš ověřovací kód je: {digits}.", repeat: "Ještě jednou, váš kód je: {digits}.", pause: latin },
    sms: "Váš ověřovací kód je {code}",
    voiceLocale: "cs-CZ",
  },
  da: {
    voice: { first: "Din bekræftelseskode er: {digits}.", repeat: "Igen, din kode er: {digits}.", pause: latin },
    sms: "Din bekræftelseskode er {code}",
    voiceLocale: "da-DK",
  },
  de: {
    voice: {
      first: "Ihr Bestätigungscode lautet: {digits}.",
      repeat: "Noch einmal, Ihr Code lautet: {digits}.",
      pause: latin,
    },
    sms: "Ihr Bestätigungscode lautet {code}",
    voiceLocale: "de-DE",
  },
  el: {
    voice: {
      first: "Ο κωδικός επαλήθευσής σας είναι: {digits}.",
      repeat: "Ξανά, ο κωδικός σας είναι: {digits}.",
      pause: latin,
    },
    sms: "Ο κωδικός επαλήθευσής σας είναι {code}",
    voiceLocale: "el-GR",
  },
  en: {
    voice: { first: "Your verification code is: {digits}.", repeat: "Again, your code is: {digits}.", pause: latin },
    sms: "Your verification code is {code}",
    voiceLocale: "en-US",
  },
  es: {
    voice: {
      first: "Su código de verificación es: {digits}.",
      repeat: "Repito, su código es: {digits}.",
      pause: latin,
    },
    sms: "Su código de verificación es {code}",
    voiceLocale: "es-ES",
  },
  fi: {
    voice: { first: "Vahvistuskoodisi on: {digits}.", repeat: "Vielä kerran, koodisi on: {digits}.", pause: latin },
    sms: "Vahvistuskoodisi on {code}",
    voiceLocale: "fi-FI",
  },
  fr: {
    voice: {
      first: "Votre code de vérification est : {digits}.",
      repeat: "Je répète, votre code est : {digits}.",
      pause: latin,
    },
    sms: "Votre code de vérification est {code}",
    voiceLocale: "fr-FR",
  },
  he: {
    voice: { first: "קוד האימות שלך הוא: {digits}.", repeat: "שוב, הקוד שלך הוא: {digits}.", pause: latin },
    sms: "קוד האימות שלך הוא {code}",
    voiceLocale: "he-IL",
  },
  hi: {
    voice: { first: "आपका सत्यापन कोड है: {digits}।", repeat: "फिर से, आपका कोड है: {digits}।", pause: latin },
    sms: "आपका सत्यापन कोड {code} है",
    voiceLocale: "hi-IN",
  },
  hu: {
    voice: { first: "Az Ön ellenőrző kódja: {digits}.", repeat: "Még egyszer, az Ön kódja: {digits}.", pause: latin },
    sms: "Az Ön ellenőrző kódja: {code}",
    voiceLocale: "hu-HU",
  },
  id: {
    voice: {
      first: "Kode verifikasi Anda adalah: {digits}.",
      repeat: "Sekali lagi, kode Anda adalah: {digits}.",
      pause: latin,
    },
    sms: "Kode verifikasi Anda adalah {code}",
    voiceLocale: "id-ID",
  },
  it: {
    voice: {
      first: "Il suo codice di verifica è: {digits}.",
      repeat: "Ripeto, il suo codice è: {digits}.",
      pause: latin,
    },
    sms: "Il suo codice di verifica è {code}",
    voiceLocale: "it-IT",
  },
  ja: {
    voice: {
      first: "確認コードは、{digits}です。",
      repeat: "もう一度言います。確認コードは、{digits}です。",
      pause: "、",
    },
    sms: "確認コードは {code} です",
    voiceLocale: "ja-JP",
  },
  ko: {
    voice: { first: "인증 코드는 {digits}입니다.", repeat: "다시 한 번, 인증 코드는 {digits}입니다.", pause: latin },
    sms: "인증 코드는 {code}입니다",
    voiceLocale: "ko-KR",
  },
  ms: {
    voice: {
      first: "Kod pengesahan anda ialah: {digits}.",
      repeat: "Sekali lagi, kod anda ialah: {digits}.",
      pause: latin,
    },
    sms: "Kod pengesahan anda ialah {code}",
    voiceLocale: "ms-MY",
  },
  nb: {
    voice: { first: "Bekreftelseskoden din er: {digits}.", repeat: "Igjen, koden din er: {digits}.", pause: latin },
    sms: "Bekreftelseskoden din er {code}",
    voiceLocale: "nb-NO",
  },
  nl: {
    voice: { first: "Uw verificatiecode is: {digits}.", repeat: "Nogmaals, uw code is: {digits}.", pause: latin },
    sms: "Uw verificatiecode is {code}",
    voiceLocale: "nl-NL",
  },
  pl: {
    voice: { first: "Twój kod weryfikacyjny to: {digits}.", repeat: "Powtarzam, twój kod to: {digits}.", pause: latin },
    sms: "Twój kod weryfikacyjny to {code}",
    voiceLocale: "pl-PL",
  },
  "pt-BR": {
    voice: {
      first: "Seu código de verificação é: {digits}.",
      repeat: "Repetindo, seu código é: {digits}.",
      pause: latin,
    },
    sms: "Seu código de verificação é {code}",
    voiceLocale: "pt-BR",
  },
  "pt-PT": {
    voice: {
      first: "O seu código de verificação é: {digits}.",
      repeat: "Repito, o seu código é: {digits}.",
      pause: latin,
    },
    sms: "O seu código de verificação é {code}",
    voiceLocale: "pt-PT",
  },
  ro: {
    voice: {
      first: "Codul dumneavoastră de verificare este: {digits}.",
      repeat: "Încă o dată, codul dumneavoastră este: {digits}.",
      pause: latin,
    },
    sms: "Codul dumneavoastră de verificare este {code}",
    voiceLocale: "ro-RO",
  },
  ru: {
    voice: { first: "Ваш код подтверждения: {digits}.", repeat: "Повторяю, ваш код: {digits}.", pause: latin },
    sms: "Ваш код подтверждения: {code}",
    voiceLocale: "ru-RU",
  },
  sk: {
    voice: { first: "Váš overovací kód je: {digits}.", repeat: "Ešte raz, váš kód je: {digits}.", pause: latin },
    sms: "Váš overovací kód je {code}",
    voiceLocale: "sk-SK",
  },
  sv: {
    voice: { first: "Din verifieringskod är: {digits}.", repeat: "Än en gång, din kod är: {digits}.", pause: latin },
    sms: "Din verifieringskod är {code}",
    voiceLocale: "sv-SE",
  },
  th: {
    voice: { first: "รหัสยืนยันของคุณคือ {digits}", repeat: "ขอย้ำอีกครั้ง รหัสของคุณคือ {digits}", pause: latin },
    sms: "รหัสยืนยันของคุณคือ {code}",
    voiceLocale: "th-TH",
  },
  tr: {
    voice: { first: "Doğrulama kodunuz: {digits}.", repeat: "Tekrar ediyorum, kodunuz: {digits}.", pause: latin },
    sms: "Doğrulama kodunuz: {code}",
    voiceLocale: "tr-TR",
  },
  vi: {
    voice: {
      first: "Mã xác minh của bạn là: {digits}.",
      repeat: "Xin nhắc lại, mã của bạn là: {digits}.",
      pause: latin,
    },
    sms: "Mã xác minh của bạn là {code}",
    voiceLocale: "vi-VN",
  },
  "zh-CN": {
    voice: { first: "您的验证码是：{digits}。", repeat: "再说一遍，您的验证码是：{digits}。", pause: "，" },
    sms: "您的验证码是 {code}",
    voiceLocale: "zh-CN",
  },
  "zh-TW": {
    voice: { first: "您的驗證碼是：{digits}。", repeat: "再說一遍，您的驗證碼是：{digits}。", pause: "，" },
    sms: "您的驗證碼是 {code}",
    voiceLocale: "zh-TW",
  },
};

/** The language everything falls back to. */
export const defaultLanguage = "en";
