// An independent check of LearnHub's credentials with the `jose` npm package (panva/jose).
// Usage: node verify_with_jose.mjs JWKS_FILE TOKEN_FILE
// Prints {"ok": true, "header": ..., "payload": ...} and exits 0 when the token verifies against
// the key set; prints {"ok": false, "code": ..., "message": ...} and exits 1 otherwise.
import { readFileSync } from "node:fs";
import { createLocalJWKSet, jwtVerify } from "jose";

const [jwksFile, tokenFile] = process.argv.slice(2);
const keySet = createLocalJWKSet(JSON.parse(readFileSync(jwksFile, "utf8")));
const token = readFileSync(tokenFile, "utf8").trim();
try {
  const { payload, protectedHeader } = await jwtVerify(token, keySet, { algorithms: ["EdDSA"], typ: "vc+jwt" });
  console.log(JSON.stringify({ ok: true, header: protectedHeader, payload }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, code: error.code ?? "ERROR", message: String(error.message) }));
  process.exit(1);
}
