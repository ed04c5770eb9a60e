import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/delivery/record.ts
var ranks = {
  accepted: 0,
  sent: 1,
  unconfirmed: 2,
  undelivered: 3,
  rejected: 3,
  expired: 3,
  not_answered: 3,
  busy: 3,
  failed: 3,
  delivered: 4,
  answered: 4
};
var isFinal = (state) => ranks[state] >= 3;
var maxEvents = 16;
function applyReceipt(record, receipt, receivedAt) {
  const event = {
    state: receipt.state,
    providerState: receipt.providerState,
    detail: receipt.detail,
    errorCode: receipt.errorCode,
    at: receipt.at ?? receivedAt
  };
  if (record.events.some((e) => sameEvent(e, event, receipt.at === void 0))) return { record, outcome: "duplicate" };
  const events = appendEvent(record.events, event);
  const billing = {
    price: receipt.price ?? record.price,
    currency: receipt.currency ?? record.currency,
    smsCount: receipt.smsCount ?? record.smsCount
  };
  const moves = receipt.state !== void 0 && ranks[receipt.state] > ranks[record.state];
  if (!moves) return { record: { ...record, ...billing, events }, outcome: "recorded" };
  return {
    record: {
      ...record,
      ...billing,
      events,
      state: receipt.state,
      providerState: receipt.providerState,
      errorCode: receipt.errorCode,
      errorDescription: receipt.errorDescription,
      updatedAt: receivedAt
    },
    outcome: "applied"
  };
}
function markUnconfirmed(record, now) {
  if (ranks[record.state] >= ranks.unconfirmed) return void 0;
  const events = appendEvent(record.events, { state: "unconfirmed", at: now });
  return { ...record, state: "unconfirmed", updatedAt: now, events };
}
function sameEvent(a, b, ignoreTime) {
  return a.providerState?.toLowerCase() === b.providerState?.toLowerCase() && a.detail === b.detail && a.errorCode === b.errorCode && (ignoreTime || a.at === b.at);
}
function appendEvent(events, event) {
  const next = [...events];
  let at = next.length;
  while (at > 1 && next[at - 1].at > event.at) at -= 1;
  next.splice(at, 0, event);
  return next.length <= maxEvents ? next : [next[0], ...next.slice(next.length - maxEvents + 1)];
}
var oktaScope = "okta";
function userScopeOf(send) {
  return send.purpose.startsWith("com.okta.user.telephony.") ? oktaScope : send.caller;
}

export {
  isFinal,
  applyReceipt,
  markUnconfirmed,
  oktaScope,
  userScopeOf
};
//# sourceMappingURL=chunk-J2VAX5L2.js.map
