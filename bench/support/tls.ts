import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface BenchTls {
  /** PEM of the CA that signed the server certificate; give it to clients (NODE_EXTRA_CA_CERTS). */
  readonly caFile: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * A throw-away CA and a 127.0.0.1 server certificate made with openssl at run time, so the fake
 * 8x8 speaks HTTPS like the real one and the gateway pays for real TLS (and pooled reuse).
 */
export function makeTls(): BenchTls {
  const dir = mkdtempSync(join(tmpdir(), "otp-bench-tls-"));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=otp-bench CA",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  );
  run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr");
  const ext = join(dir, "ext.cnf");
  execFileSync("sh", [
    "-c",
    `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > ${ext}`,
  ]);
  run(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    ext,
    "-out",
    "server.pem",
  );
  return {
    caFile: join(dir, "ca.pem"),
    cert: readFileSync(join(dir, "server.pem"), "utf8"),
    key: readFileSync(join(dir, "server.key"), "utf8"),
  };
}
