/**
 * `fn(a, b)` or `fn(a, b, c)`, a synchronous throw turned into a rejected promise as an async
 * function would: for the steps on a send's path that return their inner step's promise with a
 * `.then` instead of awaiting it (an awaiting frame stays alive until the carrier answers, and
 * the young generation copies it meanwhile; bench/README.md, run Z).
 */
export function callAsync<A, B, C, R>(fn: (a: A, b: B, c: C) => Promise<R>, a: A, b: B, c: C): Promise<R>;
export function callAsync<A, B, R>(fn: (a: A, b: B) => Promise<R>, a: A, b: B): Promise<R>;
export function callAsync<A, B, C, R>(fn: (a: A, b: B, c?: C) => Promise<R>, a: A, b: B, c?: C): Promise<R> {
  try {
    return fn(a, b, c);
  } catch (err) {
    return Promise.reject(err);
  }
}
