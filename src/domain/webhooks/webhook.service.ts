// Webhook endpoints and their deliveries (SPEC §5a): a service account registers an endpoint and gets
// its signing secret once; an ADMIN approves it; the owner or an ADMIN disables it, lists its
// deliveries (dead letters included) and replays one. Nobody else learns that an endpoint or a
// delivery exists: another account's id answers as a random one does.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuditRecord } from '../../audit/audit-log';
import { principalOf } from '../../auth/principal';
import { decodeCursor, pageSize, toConnection, type Connection } from '../../database/paging';
import { badUserInput, ErrorCode, notFound, userError, UserInputProblem } from '../../graphql/errors';
import { createIdempotently, problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { isUuid } from '../../graphql/validation';
import { WEBHOOK_OVERSEERS } from '../../permissions/policy';
import type { RequestContext } from '../../request-scope';
import { newSigningSecret, webhookSecretSealerOf } from './secret-sealing';
import { checkTarget } from './target';
import {
  Webhook,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEventType,
  type WebhookStatus,
} from './webhook.entity';
import type { RegisterWebhookInput, ReplayWebhookDeliveryInput, WebhookIdInput } from './webhook.inputs';

interface EndpointRow {
  id: string;
  owner_id: string;
  url: string;
  events: WebhookEventType[];
  status: WebhookStatus;
  created_at: Date;
  approved_at: Date | null;
  disabled_at: Date | null;
  version: number;
  sealed_secret: string;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: WebhookEventType;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_error: string | null;
  last_response_status: number | null;
  delivered_at: Date | null;
  created_at: Date;
}

const ENDPOINT_COLUMNS = `e.id, e.owner_id, e.url, e.events, e.status, e.created_at, e.approved_at, e.disabled_at,
  e.version, e.sealed_secret`;
const DELIVERY_COLUMNS = `d.id, d.endpoint_id, d.event_id, d.event_type, d.status, d.attempts, d.next_attempt_at,
  d.last_attempt_at, d.last_error, d.last_response_status, d.delivered_at, d.created_at`;

function toWebhook(row: EndpointRow): Webhook {
  return Object.assign(new Webhook(), {
    id: row.id,
    ownerId: row.owner_id,
    url: row.url,
    events: row.events,
    status: row.status,
    createdAt: row.created_at,
    approvedAt: row.approved_at,
    disabledAt: row.disabled_at,
    version: row.version,
  });
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return Object.assign(new WebhookDelivery(), {
    id: row.id,
    webhookId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === WebhookDeliveryStatus.PENDING ? row.next_attempt_at : null,
    lastAttemptAt: row.last_attempt_at,
    lastError: row.last_error,
    lastResponseStatus: row.last_response_status,
    deliveredAt: row.delivered_at,
    createdAt: row.created_at,
  });
}

/** A raw UPDATE … RETURNING: TypeORM answers it with [rows, count]. */
function updateReturning<T>(tx: EntityManager, sql: string, params: unknown[]): Promise<[T[], number]> {
  return tx.query(sql, params) as Promise<[T[], number]>;
}

/** Whether the caller oversees every endpoint (ADMIN) rather than only its own. */
const oversees = (context: RequestContext) => WEBHOOK_OVERSEERS.includes(principalOf(context.user));

/** SQL that keeps the endpoints `e` the caller may see: its own, or every one for ADMIN. */
function visibleEndpoints(context: RequestContext, parameter: number): { sql: string; params: unknown[] } {
  return oversees(context)
    ? { sql: 'true', params: [] }
    : { sql: `e.owner_id = $${parameter}`, params: [context.user.id] };
}

async function lockVisibleEndpoint(
  tx: EntityManager,
  context: RequestContext,
  id: string,
): Promise<EndpointRow> {
  const visible = visibleEndpoints(context, 2);
  const rows: EndpointRow[] = await tx.query(
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints e WHERE e.id = $1 AND ${visible.sql} FOR UPDATE`,
    [id, ...visible.params],
  );
  const row = rows[0];
  if (!row) throw notFound('Webhook');
  return row;
}

export function registerWebhook(
  context: RequestContext,
  input: RegisterWebhookInput,
): Promise<MutationResult<{ webhook: Webhook; signingSecret: string }>> {
  return runMutation(context, input, async (tx) => {
    if (context.user.kind !== 'SERVICE') {
      throw new UserInputProblem([
        userError(
          null,
          {
            zh: '只有服务账号可以登记回调：由其 API 密钥接收',
            en: 'Only a service account registers webhooks: its API key receives them',
          },
          ErrorCode.NOT_ALLOWED,
        ),
      ]);
    }
    const checked = await checkTarget(input.url, context.app.config, context.dataSource);
    if ('refused' in checked) throw problem('input.url', { zh: '不接受此回调地址', en: checked.refused });
    const sealer = await webhookSecretSealerOf(context.app.config);
    const events = [...new Set(input.events)];
    // An AUDITOR account's tool receives the signed audit checkpoints and nothing else (it reads no
    // records); no other account receives them.
    const auditor = principalOf(context.user).capability === 'AUDITOR';
    if (auditor && events.some((event) => event !== WebhookEventType.AUDIT_CHECKPOINT))
      throw problem('input.events', {
        zh: '审计员服务账号只接收 AUDIT_CHECKPOINT',
        en: 'An AUDITOR service account receives AUDIT_CHECKPOINT only',
      });
    if (!auditor && events.includes(WebhookEventType.AUDIT_CHECKPOINT))
      throw problem('input.events', {
        zh: '只有审计员服务账号接收 AUDIT_CHECKPOINT',
        en: 'Only an AUDITOR service account receives AUDIT_CHECKPOINT',
      });
    let signingSecret = '';
    const { id, replayed } = await createIdempotently(tx, context, 'registerWebhook', input, async () => {
      const endpointId = randomUUID();
      signingSecret = newSigningSecret();
      await tx.query(
        `INSERT INTO webhook_endpoints (id, owner_id, url, events, sealed_secret, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          endpointId,
          context.user.id,
          checked.target.url.toString(),
          events,
          sealer.seal(endpointId, signingSecret),
          context.now(),
        ],
      );
      return endpointId;
    });
    const rows: EndpointRow[] = await tx.query(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints e WHERE e.id = $1`,
      [id],
    );
    const row = rows[0] as EndpointRow;
    // A retry with the same key gets the same secret: it is the same registration, whose answer was lost.
    if (replayed) signingSecret = sealer.open(row.id, row.sealed_secret) ?? '';
    return {
      result: { webhook: toWebhook(row), signingSecret },
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'registerWebhook',
              recordType: 'Webhook',
              recordIds: [id],
              fields: ['url', 'events', 'signingSecret'],
              detail: { events },
            },
          ],
    };
  });
}

export function approveWebhook(
  context: RequestContext,
  input: WebhookIdInput,
): Promise<MutationResult<Webhook>> {
  return runMutation(context, input, async (tx) => {
    const endpoint = await lockVisibleEndpoint(tx, context, input.webhookId);
    if (endpoint.status === 'ACTIVE') {
      throw problem(
        'input.webhookId',
        { zh: '此回调已启用', en: 'The webhook is already active' },
        ErrorCode.INVALID_STATE,
      );
    }
    // The URL is checked again: what its name resolves to may have changed since it was registered.
    const checked = await checkTarget(endpoint.url, context.app.config, context.dataSource);
    if ('refused' in checked)
      throw problem('input.webhookId', {
        zh: '此回调地址现已不被接受',
        en: `The webhook's URL is refused now: ${checked.refused}`,
      });
    // Approval starts delivery from now: events while it waited or was disabled are not sent.
    return moveEndpoint(tx, context, endpoint, 'approveWebhook', {
      set: `status = 'ACTIVE', approved_at = clock_timestamp(), approved_by_id = $2,
            disabled_at = NULL, disabled_by_id = NULL`,
      detail: { from: endpoint.status, url: endpoint.url },
    });
  });
}

export function disableWebhook(
  context: RequestContext,
  input: WebhookIdInput,
): Promise<MutationResult<Webhook>> {
  return runMutation(context, input, async (tx) => {
    const endpoint = await lockVisibleEndpoint(tx, context, input.webhookId);
    if (endpoint.status === 'DISABLED') {
      throw problem(
        'input.webhookId',
        { zh: '此回调已停用', en: 'The webhook is already disabled' },
        ErrorCode.INVALID_STATE,
      );
    }
    return moveEndpoint(tx, context, endpoint, 'disableWebhook', {
      set: `status = 'DISABLED', disabled_at = clock_timestamp(), disabled_by_id = $2`,
      detail: { from: endpoint.status },
    });
  });
}

/**
 * Moves an endpoint to another status (`set`, where $2 is the acting account), with its audit
 * entry in the same transaction.
 */
async function moveEndpoint(
  tx: EntityManager,
  context: RequestContext,
  endpoint: EndpointRow,
  operation: 'approveWebhook' | 'disableWebhook',
  change: { set: string; detail: Record<string, unknown> },
): Promise<{ result: Webhook; audit: AuditRecord[] }> {
  const [rows] = await updateReturning<EndpointRow>(
    tx,
    `UPDATE webhook_endpoints e SET ${change.set}, version = version + 1
      WHERE e.id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
    [endpoint.id, context.user.id],
  );
  return {
    result: toWebhook(rows[0] as EndpointRow),
    audit: [
      {
        action: 'MUTATION',
        operation,
        recordType: 'Webhook',
        recordIds: [endpoint.id],
        fields: ['status'],
        detail: change.detail,
      },
    ],
  };
}

/** The caller's endpoints (every endpoint for ADMIN), newest first. */
export async function listWebhooks(context: RequestContext): Promise<Webhook[]> {
  const visible = visibleEndpoints(context, 1);
  const rows: EndpointRow[] = await context.dataSource.query(
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints e WHERE ${visible.sql} ORDER BY e.created_at DESC, e.id DESC LIMIT 1000`,
    visible.params,
  );
  return rows.map(toWebhook);
}

/** Deliveries to the caller's endpoints (every endpoint for ADMIN), newest first. */
export async function listWebhookDeliveries(
  context: RequestContext,
  status: WebhookDeliveryStatus | null | undefined,
  webhookId: string | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<WebhookDelivery>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const position = after ? decodeCursor(after) : null;
  const params: unknown[] = [];
  const where: string[] = [];
  const visible = visibleEndpoints(context, 1);
  params.push(...visible.params);
  where.push(visible.sql);
  if (status) {
    params.push(status);
    where.push(`d.status = $${params.length}`);
  }
  if (webhookId) {
    if (!isUuid(webhookId))
      throw badUserInput('webhookId must be an ID this API issued (a UUID)', 'webhookId');
    params.push(webhookId);
    where.push(`d.endpoint_id = $${params.length}::uuid`);
  }
  const filter = where.join(' AND ');
  const countParams = [...params];
  if (position) {
    params.push(position.at, position.id);
    where.push(`(d.created_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(size + 1);
  const rows: DeliveryRow[] = await context.dataSource.query(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE ${where.join(' AND ')} ORDER BY d.created_at DESC, d.id DESC LIMIT $${params.length}`,
    params,
  );
  const [count] = (await context.dataSource.query(
    `SELECT count(*)::int AS total FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE ${filter}`,
    countParams,
  )) as { total: number }[];
  return toConnection(rows.map(toDelivery), size, count?.total ?? 0, (delivery) => ({
    at: delivery.createdAt,
    id: delivery.id,
  }));
}

/**
 * Queues a dead (or delivered) delivery again, from its first attempt. Its payload is read anew, as the
 * account reads the record now (worker.ts): a replay never sends what the account may no longer read.
 */
export function replayWebhookDelivery(
  context: RequestContext,
  input: ReplayWebhookDeliveryInput,
): Promise<MutationResult<WebhookDelivery>> {
  return runMutation(context, input, async (tx) => {
    const visible = visibleEndpoints(context, 2);
    const rows: DeliveryRow[] = await tx.query(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.id = $1 AND ${visible.sql} FOR UPDATE OF d`,
      [input.deliveryId, ...visible.params],
    );
    const delivery = rows[0];
    if (!delivery) throw notFound('WebhookDelivery');
    if (delivery.status === WebhookDeliveryStatus.PENDING)
      throw problem(
        'input.deliveryId',
        { zh: '此次投递已在队列中', en: 'The delivery is already queued' },
        ErrorCode.INVALID_STATE,
      );
    const [replayed] = await updateReturning<DeliveryRow>(
      tx,
      `UPDATE webhook_deliveries d SET status = 'PENDING', attempts = 0, next_attempt_at = clock_timestamp(),
              body = NULL, last_error = NULL, delivered_at = NULL
        WHERE d.id = $1 RETURNING ${DELIVERY_COLUMNS}`,
      [delivery.id],
    );
    return {
      result: toDelivery(replayed[0] as DeliveryRow),
      audit: [
        {
          action: 'MUTATION',
          operation: 'replayWebhookDelivery',
          recordType: 'WebhookDelivery',
          recordIds: [delivery.id, delivery.event_id],
          fields: ['status'],
          detail: { from: delivery.status, webhookId: delivery.endpoint_id },
        },
      ],
    };
  });
}
