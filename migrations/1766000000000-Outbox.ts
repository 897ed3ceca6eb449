// The outbox and signed webhooks (issue 21 item 2, SPEC §5a). Triggers write an event to
// outbox_events inside the writer's own transaction, whoever the writer is (the API, a command-line
// tool, an operator's correction): an event exists exactly when its change committed. The delivery
// worker (src/domain/webhooks/worker.ts) fans each event out to the endpoints subscribed to it — one
// webhook_deliveries row per endpoint that may read the record — and posts them, at least once.
//
// - outbox_events: what happened to which record (the record, not its content: the payload is read
//   later as the receiving account, so it holds only what that account may read). `detail` is for
//   the worker only and never leaves the server.
// - webhook_endpoints: a service account's registered URL, the events it wants, and its signing
//   secret sealed with a key that is not in the database (WEBHOOK_SECRET_KEY).
// - webhook_deliveries: one event for one endpoint, with the body as built for that endpoint's
//   account; status PENDING → DELIVERED, or DEAD after too many failed attempts (replay re-queues).
import type { MigrationInterface, QueryRunner } from 'typeorm';

interface EventTrigger {
  name: string;
  table: string;
  timing: string;
  when?: string;
  /** A SELECT (or VALUES) of (event_type, record_type, record_id, detail). */
  select: string;
}

const EVENT_TRIGGERS: EventTrigger[] = [
  {
    name: 'disputes_outbox_registered',
    table: 'disputes',
    timing: 'AFTER INSERT',
    select: `VALUES ('DISPUTE_REGISTERED', 'Dispute', NEW.id, '{}'::jsonb)`,
  },
  {
    name: 'disputes_outbox_status',
    table: 'disputes',
    timing: 'AFTER UPDATE OF status',
    when: 'OLD.status IS DISTINCT FROM NEW.status',
    select: `VALUES ('DISPUTE_STATUS_CHANGED', 'Dispute', NEW.id,
                     jsonb_build_object('from', OLD.status, 'to', NEW.status))`,
  },
  {
    name: 'dispute_escalations_outbox',
    table: 'dispute_escalations',
    timing: 'AFTER INSERT',
    select: `VALUES ('DISPUTE_ESCALATED', 'Dispute', NEW.dispute_id, jsonb_build_object('escalationId', NEW.id))`,
  },
  {
    name: 'persons_outbox_tier',
    table: 'persons',
    timing: 'AFTER UPDATE OF tier',
    when: 'OLD.tier IS DISTINCT FROM NEW.tier',
    select: `VALUES ('TIER_CHANGED', 'Person', NEW.id, '{}'::jsonb)`,
  },
  {
    name: 'alerts_outbox_raised',
    table: 'alerts',
    timing: 'AFTER INSERT',
    select: `VALUES ('ALERT_RAISED', 'Alert', NEW.id, '{}'::jsonb)`,
  },
  {
    name: 'assignments_outbox_made',
    table: 'assignments',
    timing: 'AFTER INSERT',
    select: `VALUES ('ASSIGNMENT_MADE',
                     CASE WHEN NEW.person_id IS NOT NULL THEN 'Person' ELSE 'Dispute' END,
                     coalesce(NEW.person_id, NEW.dispute_id),
                     jsonb_build_object('assignmentId', NEW.id))`,
  },
];

export class Outbox1766000000000 implements MigrationInterface {
  name = 'Outbox1766000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outbox_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigserial NOT NULL UNIQUE,
        event_type text NOT NULL CHECK (event_type IN ('DISPUTE_REGISTERED', 'DISPUTE_STATUS_CHANGED',
          'DISPUTE_ESCALATED', 'TIER_CHANGED', 'ALERT_RAISED', 'ASSIGNMENT_MADE', 'AUDIT_CHECKPOINT')),
        record_type text NOT NULL,
        record_id uuid,
        detail jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        fanned_out_at timestamptz
      )`);
    await db.query(`CREATE INDEX outbox_events_waiting ON outbox_events (seq) WHERE fanned_out_at IS NULL`);
    // One AUDIT_CHECKPOINT event per checkpoint, whichever replica sees it first.
    await db.query(`
      CREATE UNIQUE INDEX outbox_events_checkpoint ON outbox_events ((detail->>'signature'))
       WHERE event_type = 'AUDIT_CHECKPOINT'`);
    await db.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id uuid NOT NULL REFERENCES users(id),
        url text NOT NULL,
        events text[] NOT NULL,
        sealed_secret text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING_APPROVAL'
          CHECK (status IN ('PENDING_APPROVAL', 'ACTIVE', 'DISABLED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        approved_at timestamptz,
        approved_by_id uuid REFERENCES users(id),
        disabled_at timestamptz,
        disabled_by_id uuid REFERENCES users(id),
        version integer NOT NULL DEFAULT 1
      )`);
    await db.query(`CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner_id)`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id),
        event_id uuid NOT NULL REFERENCES outbox_events(id),
        event_type text NOT NULL,
        record_id uuid,
        body text,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        last_attempt_at timestamptz,
        last_error text,
        last_response_status integer,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        UNIQUE (endpoint_id, event_id)
      )`);
    await db.query(
      `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING'`,
    );
    await db.query(
      `CREATE INDEX webhook_deliveries_list ON webhook_deliveries (endpoint_id, created_at DESC, id DESC)`,
    );
    for (const trigger of EVENT_TRIGGERS) {
      await db.query(`
        CREATE FUNCTION ${trigger.name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO outbox_events (event_type, record_type, record_id, detail) ${trigger.select};
          RETURN NULL;
        END $$`);
      await db.query(`
        CREATE TRIGGER ${trigger.name} ${trigger.timing} ON ${trigger.table}
        FOR EACH ROW ${trigger.when ? `WHEN (${trigger.when})` : ''} EXECUTE FUNCTION ${trigger.name}()`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const trigger of EVENT_TRIGGERS) {
      await db.query(`DROP TRIGGER ${trigger.name} ON ${trigger.table}`);
      await db.query(`DROP FUNCTION ${trigger.name}()`);
    }
    await db.query(`DROP TABLE webhook_deliveries, webhook_endpoints, outbox_events`);
  }
}
