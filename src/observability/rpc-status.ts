import { Code } from "@connectrpc/connect";

const names = new Map<Code, string>();

/** "invalid_argument": a status code as Connect spells it (upper-cased, as gRPC does). Cached. */
export function statusCodeName(code: Code): string {
  let name = names.get(code);
  if (name === undefined) {
    name = Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
    names.set(code, name);
  }
  return name;
}
