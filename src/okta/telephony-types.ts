/** The parts of Okta's `com.okta.telephony.provider` request the gateway reads. */
export interface OktaTelephonyRequest {
  readonly eventId?: string;
  readonly eventType?: string;
  /** `https://{org}/api/v1/inlineHooks/{hookId}` for Okta's own events. */
  readonly source?: string;
  readonly requestType?: string;
  readonly data: {
    readonly context?: {
      readonly request?: {
        readonly id?: string;
        readonly url?: { readonly value?: string };
        /** The person's client address, as Okta saw it. */
        readonly ipAddress?: string;
      };
    };
    readonly userProfile?: { readonly userId?: string; readonly login?: string };
    readonly messageProfile: {
      readonly phoneNumber: string;
      readonly otpCode: string | number;
      readonly deliveryChannel: string;
      readonly msgTemplate?: string;
      readonly locale?: string;
      readonly otpExpires?: string;
    };
  };
}

/** Okta's `deliveryChannel`: `sms` in any case is SMS; anything else (`Voice`, `CALL`, `voice call`) a call. */
export function channelOf(body: OktaTelephonyRequest): "sms" | "voice" {
  return body.data.messageProfile.deliveryChannel.trim().toLowerCase() === "sms" ? "sms" : "voice";
}

const shortString = (maxLength: number) => ({ type: "string", maxLength }) as const;

/**
 * JSON schema for the request body, compiled once by Fastify. Only what we read is checked;
 * everything else Okta sends is accepted unread, because Okta adds fields without notice.
 */
export const oktaTelephonyRequestSchema = {
  type: "object",
  required: ["data"],
  properties: {
    eventId: shortString(128),
    eventType: shortString(128),
    source: shortString(2048),
    requestType: shortString(128),
    data: {
      type: "object",
      required: ["messageProfile"],
      properties: {
        context: {
          type: "object",
          properties: {
            request: {
              type: "object",
              properties: {
                id: shortString(128),
                url: { type: "object", properties: { value: shortString(2048) } },
                ipAddress: shortString(64),
              },
            },
          },
        },
        userProfile: { type: "object", properties: { userId: shortString(128) } },
        messageProfile: {
          type: "object",
          required: ["phoneNumber", "otpCode", "deliveryChannel"],
          properties: {
            phoneNumber: shortString(64),
            otpCode: { anyOf: [{ type: "string", maxLength: 32 }, { type: "number" }] },
            deliveryChannel: { type: "string", minLength: 1, maxLength: 32 },
            msgTemplate: shortString(2000),
            locale: shortString(35),
            otpExpires: shortString(64),
          },
        },
      },
    },
  },
} as const;

export type OktaStatus = "SUCCESSFUL" | "FAILED";

export interface OktaTelephonyAction {
  readonly commands: [
    {
      readonly type: "com.okta.telephony.action";
      readonly value: [
        {
          readonly status: OktaStatus;
          readonly provider: string;
          readonly transactionId?: string;
          readonly transactionMetadata: string;
        },
      ];
    },
  ];
}

/** The command Okta reads to learn whether the code went out. */
export function telephonyAction(
  status: OktaStatus,
  provider: string,
  transactionMetadata: string,
  transactionId?: string,
): OktaTelephonyAction {
  return {
    commands: [
      {
        type: "com.okta.telephony.action",
        value: [{ status, provider, transactionId: transactionId || undefined, transactionMetadata }],
      },
    ],
  };
}

export interface OktaErrorCause {
  readonly errorSummary: string;
  readonly reason: string;
  readonly locationType?: "body" | "header";
  readonly location?: string;
}

/** Okta's error object. Its text can reach end users, so it names fields, never values. */
export function oktaError(errorSummary: string, causes: readonly OktaErrorCause[] = []) {
  return { error: { errorSummary, errorCauses: causes.length > 0 ? causes : undefined } };
}
