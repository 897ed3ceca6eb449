// How a delivery is signed (docs/integration.md, "Webhooks"): HMAC-SHA256 with the endpoint's secret
// over `<unix seconds>.<body>`, sent as `Concord-Signature: v1=<hex>` with the seconds in
// `Concord-Timestamp`. Signing the timestamp with the body lets a receiver refuse old replays.
import { createHmac } from 'node:crypto';

export const SIGNATURE_VERSION = 'v1';

export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The headers of one attempt, signed at `now`. */
export function signedHeaders(
  secret: string,
  body: string,
  eventId: string,
  eventType: string,
  deliveryId: string,
  now: Date,
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'Concord-Webhooks/1',
    'concord-event-id': eventId,
    'concord-event-type': eventType,
    'concord-delivery-id': deliveryId,
    'concord-timestamp': String(timestamp),
    'concord-signature': `${SIGNATURE_VERSION}=${signatureOf(secret, timestamp, body)}`,
  };
}
