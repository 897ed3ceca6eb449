// The webhook delivery worker, run inside the API process (started and stopped with the server). Safe
// with several replicas on one database: each step claims its rows with FOR UPDATE SKIP LOCKED, so a
// row is worked by one replica at a time and the others pass over it.
//
// 1. Fan-out: each event of the outbox goes to the ACTIVE endpoints subscribed to its type (approved
//    before it happened) whose account can read the record: the payload is that account's own read
//    of it (payloads.ts), and a delivery row is written only when there is one.
// 2. Delivery: due deliveries are posted — signed, to the address the SSRF check resolved, no
//    redirects — while their rows stay locked, and marked DELIVERED, retried later with backoff, or
//    DEAD after too many failures. Every attempt is an audit entry of the receiving account, written
//    in the transaction that records its outcome. At least once: a crash after the post and before
//    the commit posts again, and receivers dedupe by Concord-Event-Id.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { EntityManager } from 'typeorm';
import { writeAuditEntries } from '../../audit/audit-log';
import type { Identity } from '../../auth/identity';
import { loadUserIdentity } from '../../auth/identity-store';
import type { AppServices } from '../../request-scope';
import { checkpointPayloadOf, dataKeyOf, readEventRecord, type ReadAsAccount } from './payloads';
import { isDeadLetter, isDelivered, retryDelayMs } from './rules';
import { webhookSecretSealerOf } from './secret-sealing';
import { signedHeaders } from './signature';
import { checkTarget, type CheckedTarget } from './target';
import { WebhookEventType } from './webhook.entity';

const FAN_OUT_BATCH = 50;
/** Payload reads of one fan-out batch run at most this many at a time (the pool has 10 connections). */
const READ_CONCURRENCY = 4;
const DELIVERY_BATCH = 20;
/** What is kept of a failure's reason: enough to diagnose, never a receiver's whole page. */
const ERROR_MAX = 300;

interface OutboxEvent {
  id: string;
  event_type: WebhookEventType;
  record_type: string;
  record_id: string | null;
  detail: unknown;
  occurred_at: Date;
}

interface SubscribedEndpoint {
  id: string;
  owner_id: string;
  events: WebhookEventType[];
  approved_at: Date;
}

interface DueDelivery {
  id: string;
  event_id: string;
  event_type: string;
  record_id: string | null;
  body: string;
  attempts: number;
  endpoint_id: string;
  url: string;
  sealed_secret: string;
  owner_id: string;
}

interface Outcome {
  delivered: boolean;
  status: number | null;
  error: string | null;
}

export interface WebhookWorker {
  /** One pass: fan out what is waiting, then post what is due. Returns how many deliveries were attempted. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** The body of one event for one endpoint: the account's read of the record, under its data key. */
function payloadBody(
  eventId: string,
  eventType: WebhookEventType,
  occurredAt: Date,
  recordType: string,
  record: unknown,
): string {
  return JSON.stringify({
    id: eventId,
    type: eventType,
    occurredAt: occurredAt.toISOString(),
    data: { [dataKeyOf(eventType, recordType)]: record },
  });
}

/** `map` over `items`, at most `limit` at a time, results in order. */
async function mapConcurrently<T, R>(items: T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

export function startWebhookWorker(
  app: AppServices,
  readAsAccount: ReadAsAccount,
  options: { timer: boolean } = { timer: true },
): WebhookWorker {
  const { config, dataSource, logger } = app;
  const settings = config.webhooks;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<number> | undefined;

  async function identityOf(cache: Map<string, Identity | null>, accountId: string) {
    if (!cache.has(accountId)) cache.set(accountId, await loadUserIdentity(dataSource, accountId));
    return cache.get(accountId) ?? null;
  }

  /** Fans out one batch of waiting events; returns how many it took. */
  async function fanOut(): Promise<number> {
    return dataSource.transaction(async (tx) => {
      const events: OutboxEvent[] = await tx.query(
        `SELECT id, event_type, record_type, record_id, detail, occurred_at FROM outbox_events
          WHERE fanned_out_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [FAN_OUT_BATCH],
      );
      if (events.length === 0) return 0;
      const endpoints: SubscribedEndpoint[] = await tx.query(
        `SELECT e.id, e.owner_id, e.events, e.approved_at
           FROM webhook_endpoints e JOIN users u ON u.id = e.owner_id AND u.active
          WHERE e.status = 'ACTIVE' AND e.events && $1::text[]`,
        [[...new Set(events.map((event) => event.event_type))]],
      );
      const identities = new Map<string, Identity | null>();
      const pairs: { event: OutboxEvent; endpoint: SubscribedEndpoint }[] = [];
      for (const event of events) {
        const checkpoint = event.event_type === WebhookEventType.AUDIT_CHECKPOINT;
        if (!Object.values(WebhookEventType).includes(event.event_type)) continue;
        if (!event.record_id && !checkpoint) continue;
        for (const endpoint of endpoints) {
          if (endpoint.events.includes(event.event_type) && endpoint.approved_at <= event.occurred_at)
            pairs.push({ event, endpoint });
        }
      }
      // The reads run side by side (each on a connection of its own); the rows go in afterwards.
      const bodies = await mapConcurrently(pairs, READ_CONCURRENCY, async ({ event, endpoint }) => {
        const identity = await identityOf(identities, endpoint.owner_id);
        if (!identity) return null;
        if (event.event_type === WebhookEventType.AUDIT_CHECKPOINT) {
          // Signed chain metadata, to AUDITOR accounts only: any other account's endpoint gets nothing.
          const checkpoint = checkpointPayloadOf(identity, event.detail);
          return checkpoint && payloadBody(event.id, event.event_type, event.occurred_at, '', checkpoint);
        }
        if (!event.record_id) return null;
        const record = await readEventRecord(
          readAsAccount,
          identity,
          event.event_type,
          event.record_type,
          event.record_id,
          `webhook:${event.id}:${endpoint.id}`,
        );
        return record === null
          ? null
          : payloadBody(event.id, event.event_type, event.occurred_at, event.record_type, record);
      });
      for (const [index, { event, endpoint }] of pairs.entries()) {
        const body = bodies[index];
        if (!body) continue;
        await tx.query(
          `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, record_id, body)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
          [endpoint.id, event.id, event.event_type, event.record_id, body],
        );
      }
      await tx.query(
        `UPDATE outbox_events SET fanned_out_at = clock_timestamp() WHERE id = ANY($1::uuid[])`,
        [events.map((event) => event.id)],
      );
      return events.length;
    });
  }

  async function post(
    target: CheckedTarget,
    headers: Record<string, string>,
    body: string,
  ): Promise<Outcome> {
    // Connect to the address the check resolved, whatever the name resolves to by now.
    const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
      if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const client = target.url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      const request = client.request(target.url, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinned,
        agent: false,
        timeout: settings.timeoutMs,
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${settings.timeoutMs} ms`)));
      request.on('error', (error) => settle({ delivered: false, status: null, error: error.message }));
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        // The answer's body is not read: only its status counts.
        response.resume();
        response.on('error', () => undefined);
        settle({
          delivered: isDelivered(status),
          status,
          error: isDelivered(status) ? null : `the endpoint answered HTTP ${status}`,
        });
      });
      request.end(body);
    });
  }

  async function attempt(delivery: DueDelivery): Promise<Outcome> {
    const checked = await checkTarget(delivery.url, config, dataSource);
    if ('refused' in checked) return { delivered: false, status: null, error: `refused: ${checked.refused}` };
    const secret = (await webhookSecretSealerOf(config)).open(delivery.endpoint_id, delivery.sealed_secret);
    if (!secret)
      return { delivered: false, status: null, error: 'the signing secret does not open with this key' };
    const headers = signedHeaders(
      secret,
      delivery.body,
      delivery.event_id,
      delivery.event_type,
      delivery.id,
      new Date(),
    );
    return post(checked.target, headers, delivery.body);
  }

  async function record(
    tx: EntityManager,
    delivery: DueDelivery,
    outcome: Outcome,
    identity: Identity | null,
  ) {
    const failures = delivery.attempts + 1;
    if (outcome.delivered) {
      // Once delivered, the copy of the record is not kept (the receiver has it; a replay re-reads).
      await tx.query(
        `UPDATE webhook_deliveries SET status = 'DELIVERED', attempts = $2, last_attempt_at = clock_timestamp(),
                delivered_at = clock_timestamp(), last_response_status = $3, last_error = NULL, body = NULL
          WHERE id = $1`,
        [delivery.id, failures, outcome.status],
      );
    } else {
      const dead = isDeadLetter(failures, settings.maxAttempts);
      const delay = retryDelayMs(failures, settings.backoffBaseMs, settings.backoffMaxMs, Math.random());
      await tx.query(
        // A dead letter keeps no copy of the record either: a replay reads it again as the account now can.
        `UPDATE webhook_deliveries SET status = $2, attempts = $3, last_attempt_at = clock_timestamp(),
                next_attempt_at = clock_timestamp() + make_interval(secs => $4::double precision / 1000),
                last_response_status = $5, last_error = $6, body = CASE WHEN $2 = 'DEAD' THEN NULL ELSE body END
          WHERE id = $1`,
        [
          delivery.id,
          dead ? 'DEAD' : 'PENDING',
          failures,
          delay,
          outcome.status,
          (outcome.error ?? '').slice(0, ERROR_MAX),
        ],
      );
    }
    await writeAuditEntries(tx, { requestId: `webhook:${delivery.id}:${failures}`, identity }, [
      {
        action: 'READ',
        operation: 'webhookDelivery',
        recordType: 'WebhookDelivery',
        recordIds: [delivery.id, delivery.event_id, ...(delivery.record_id ? [delivery.record_id] : [])],
        fields: ['payload'],
        detail: {
          eventType: delivery.event_type,
          webhookId: delivery.endpoint_id,
          attempt: failures,
          delivered: outcome.delivered,
          responseStatus: outcome.status,
        },
      },
    ]);
  }

  /**
   * Reads again, as the account reads it now, the payload of replayed deliveries (a replay drops the
   * old one). A record the account can no longer read is not sent: the delivery goes back to DEAD.
   */
  async function rebuildReplayed(): Promise<void> {
    await dataSource.transaction(async (tx) => {
      const replayed: (DueDelivery & { record_type: string; detail: unknown; occurred_at: Date })[] =
        await tx.query(
          `SELECT d.id, d.event_id, d.event_type, d.record_id, e.owner_id, o.record_type, o.detail, o.occurred_at
           FROM webhook_deliveries d
           JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.status = 'ACTIVE'
           JOIN outbox_events o ON o.id = d.event_id
          WHERE d.status = 'PENDING' AND d.body IS NULL
          LIMIT $1
          FOR UPDATE OF d SKIP LOCKED`,
          [DELIVERY_BATCH],
        );
      const identities = new Map<string, Identity | null>();
      for (const delivery of replayed) {
        const identity = await identityOf(identities, delivery.owner_id);
        const eventType = delivery.event_type as WebhookEventType;
        const record = !identity
          ? null
          : eventType === WebhookEventType.AUDIT_CHECKPOINT
            ? checkpointPayloadOf(identity, delivery.detail)
            : delivery.record_id
              ? await readEventRecord(
                  readAsAccount,
                  identity,
                  eventType,
                  delivery.record_type,
                  delivery.record_id,
                  `webhook:${delivery.event_id}:${delivery.id}:replay`,
                )
              : null;
        if (record === null) {
          await tx.query(`UPDATE webhook_deliveries SET status = 'DEAD', last_error = $2 WHERE id = $1`, [
            delivery.id,
            'the account cannot read the record now: nothing was sent',
          ]);
          continue;
        }
        const body = payloadBody(
          delivery.event_id,
          eventType,
          delivery.occurred_at,
          delivery.record_type,
          record,
        );
        await tx.query(`UPDATE webhook_deliveries SET body = $2 WHERE id = $1`, [delivery.id, body]);
      }
    });
  }

  /** Posts one batch of due deliveries; returns how many were attempted. */
  async function deliverDue(): Promise<number> {
    return dataSource.transaction(async (tx) => {
      const due: DueDelivery[] = await tx.query(
        `SELECT d.id, d.event_id, d.event_type, d.record_id, d.body, d.attempts,
                e.id AS endpoint_id, e.url, e.sealed_secret, e.owner_id
           FROM webhook_deliveries d
           JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.status = 'ACTIVE'
           JOIN users u ON u.id = e.owner_id AND u.active
          WHERE d.status = 'PENDING' AND d.next_attempt_at <= clock_timestamp() AND d.body IS NOT NULL
          ORDER BY d.next_attempt_at
          LIMIT $1
          FOR UPDATE OF d SKIP LOCKED`,
        [DELIVERY_BATCH],
      );
      if (due.length === 0) return 0;
      const outcomes = await Promise.all(
        due.map((delivery) =>
          attempt(delivery).catch((error: unknown) => ({
            delivered: false,
            status: null,
            error: error instanceof Error ? error.message : String(error),
          })),
        ),
      );
      const identities = new Map<string, Identity | null>();
      for (const [index, delivery] of due.entries()) {
        const outcome = outcomes[index] as Outcome;
        await record(tx, delivery, outcome, await identityOf(identities, delivery.owner_id));
      }
      return due.length;
    });
  }

  /** Fan-out and delivery take turns, so a stream of new events never holds back the posts. */
  async function runOnce(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const fannedOut = await fanOut();
      await rebuildReplayed();
      const posted = await deliverDue();
      attempted += posted;
      if ((fannedOut < FAN_OUT_BATCH && posted < DELIVERY_BATCH) || stopped) return attempted;
    }
  }

  const tick = () => {
    if (stopped) return;
    current = runOnce()
      .catch((error: unknown) => {
        logger.error({ err: error }, 'webhook worker pass failed');
        return 0;
      })
      .finally(() => {
        current = undefined;
        if (!stopped) timer = setTimeout(tick, settings.intervalMs);
      });
  };
  if (options.timer) timer = setTimeout(tick, settings.intervalMs);

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
