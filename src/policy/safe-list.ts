/**
 * Who is never limited (the destination policy still applies): numbers, or ranges written with
 * a trailing `*` (a company's block), and Okta user ids (a test account, a service desk).
 */
export function createSafeList(numbers: readonly string[], userIds: ReadonlySet<string>) {
  const exact = new Set(numbers.filter((n) => !n.endsWith("*")));
  const ranges = numbers.filter((n) => n.endsWith("*")).map((n) => n.slice(0, -1));
  if (exact.size === 0 && ranges.length === 0 && userIds.size === 0) return undefined;
  return (e164: string, userId: string): boolean =>
    exact.has(e164) || ranges.some((r) => e164.startsWith(r)) || (userId !== "" && userIds.has(userId));
}

export type SafeList = NonNullable<ReturnType<typeof createSafeList>>;
