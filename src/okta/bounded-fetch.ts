/**
 * `fetch` for the JWKS download that refuses an answer past `maxBytes`, by its
 * `content-length` or while reading it: an issuer (or whoever answers in its place) serving
 * hundreds of megabytes must not take the gateway's memory with it. A real key set is a few KB.
 */
export function createBoundedFetch(maxBytes: number): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const declared = Number(res.headers.get("content-length") ?? Number.NaN);
    if (declared > maxBytes) {
      await res.body?.cancel();
      throw new Error(`JWKS answer of ${declared} bytes is over the ${maxBytes}-byte limit`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new Error(`JWKS answer is over the ${maxBytes}-byte limit`);
      chunks.push(chunk);
    }
    return new Response(Buffer.concat(chunks), { status: res.status, headers: res.headers });
  };
}
