import type { NumberType } from "libphonenumber-js/max";
import { nonGeographicRegion, type PhoneNumber } from "../phone.js";

export type Channel = "sms" | "voice";

export interface ChannelPolicy {
  /** ISO regions allowed; empty means every region not blocked. */
  readonly allowedCountries: ReadonlySet<string>;
  readonly blockedCountries: ReadonlySet<string>;
  /** Line types a code may go to. A number whose type is unknown is allowed. */
  readonly allowedNumberTypes: ReadonlySet<NumberType>;
  /**
   * Whether numbers of no country (region "001": satellite, international networks) may get a
   * code at all; off by default, since they cost the most and no staff member has one.
   */
  readonly allowNonGeographic: boolean;
}

export type DestinationPolicy = Readonly<Record<Channel, ChannelPolicy>>;

// Premium-rate, shared-cost, UAN, pager, voicemail and toll-free numbers are where toll fraud
// pays out and where no person reads a code; landlines cannot take an SMS.
export const defaultNumberTypes: Readonly<Record<Channel, readonly NumberType[]>> = {
  sms: ["MOBILE", "FIXED_LINE_OR_MOBILE", "VOIP"],
  voice: ["MOBILE", "FIXED_LINE", "FIXED_LINE_OR_MOBILE", "VOIP", "PERSONAL_NUMBER"],
};

export const knownNumberTypes: readonly NumberType[] = [
  "MOBILE",
  "FIXED_LINE",
  "FIXED_LINE_OR_MOBILE",
  "VOIP",
  "PERSONAL_NUMBER",
  "TOLL_FREE",
  "PREMIUM_RATE",
  "SHARED_COST",
  "UAN",
  "PAGER",
  "VOICEMAIL",
];

export type PolicyRefusal =
  | "country_not_allowed"
  | "country_blocked"
  | "number_type_not_allowed"
  | "non_geographic_not_allowed";

/** Why `phone` may not receive a code on `channel`, or undefined when it may. */
export function checkDestination(
  policy: DestinationPolicy,
  channel: Channel,
  phone: PhoneNumber,
): PolicyRefusal | undefined {
  const p = policy[channel];
  // A number the metadata cannot place in a region is only allowed when no allow-list is set.
  const region = phone.region ?? "";
  if (region === nonGeographicRegion && !p.allowNonGeographic) return "non_geographic_not_allowed";
  if (p.blockedCountries.has(region)) return "country_blocked";
  if (p.allowedCountries.size > 0 && !p.allowedCountries.has(region)) return "country_not_allowed";
  if (phone.type !== undefined && !p.allowedNumberTypes.has(phone.type)) return "number_type_not_allowed";
  return undefined;
}

export function defaultDestinationPolicy(): DestinationPolicy {
  const channel = (c: Channel): ChannelPolicy => ({
    allowedCountries: new Set(),
    blockedCountries: new Set(),
    allowedNumberTypes: new Set(defaultNumberTypes[c]),
    allowNonGeographic: false,
  });
  return { sms: channel("sms"), voice: channel("voice") };
}
