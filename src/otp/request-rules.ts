/** An OTP the gateway will send: 4 to 10 ASCII letters or digits. */
export const codePattern = /^[A-Za-z0-9]{4,10}$/;

/** An idempotency key (Okta's eventId or a caller's key) the gateway will remember. */
export const idempotencyKeyPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** The longest deadline an RPC gets: past it a timer would overflow or a claim outlive its use. */
export const maxRpcDeadlineMs = 60_000;
