// Verifies a Concord webhook: plain Node, no dependencies. As a module: verifyConcordWebhook(...).
// As a command: CONCORD_WEBHOOK_SECRET=whsec_… node verify-webhook-signature.mjs <timestamp> <signature> < body
import { createHmac, timingSafeEqual } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export function verifyConcordWebhook(secret, timestamp, signature, rawBody, toleranceSeconds = 300) {
  const age = Math.abs(Date.now() / 1000 - Number(timestamp));
  if (!/^\d+$/.test(timestamp) || age > toleranceSeconds) return false; // stale: a replayed request
  const expected = 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  const given = Buffer.from(String(signature));
  return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const [timestamp, signature] = process.argv.slice(2);
  const ok = verifyConcordWebhook(
    process.env.CONCORD_WEBHOOK_SECRET,
    timestamp,
    signature,
    Buffer.concat(chunks).toString('utf8'),
  );
  console.log(ok ? 'valid' : 'INVALID');
  process.exitCode = ok ? 0 : 1;
}
