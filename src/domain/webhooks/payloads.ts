// What a webhook carries: for each event type, a fixed GraphQL selection executed AS THE RECEIVING
// SERVICE ACCOUNT through the API's own permission-wrapped schema and request lifecycle — so row
// scope, field denial, masking and the sensitive-read audit are exactly those of that account reading
// the record over HTTP. When the account cannot load the record, there is no payload, and so no
// delivery: an event about a record outside its scope leaves no trace it could see.
import type { ExecutionResult } from 'graphql';
import type { AuditCheckpoint } from '../../audit/checkpoint';
import { principalOf, type Identity } from '../../auth/identity';
import { WebhookEventType } from './webhook.entity';

/** Runs an operation as `identity` through the request lifecycle (src/graphql/account-reads.ts). */
export type ReadAsAccount = (
  identity: Identity,
  request: { query: string; operationName: string; variables: Record<string, unknown> },
  requestId: string,
) => Promise<ExecutionResult>;

const PERSON_FIELDS = `id name gender ageGroup idNumber phone tier residency grid { id name } updatedAt`;

const DISPUTE = `query WebhookDispute($id: ID!) {
  dispute(id: $id) {
    id category source status level venue description reportedAt closedAt updatedAt version
    grid { id name }
    parties { role personId person { ${PERSON_FIELDS} } }
  }
}`;

const PERSON = `query WebhookPerson($id: ID!) {
  person(id: $id) { ${PERSON_FIELDS} }
}`;

const PERSON_ASSIGNMENT = `query WebhookPersonAssignment($id: ID!) {
  person(id: $id) {
    ${PERSON_FIELDS}
    currentAssignment {
      id active responsibleDepartmentCode responsiblePersonId leadLeaderId teamMemberIds measures
      proposedForTier acknowledgedAt createdAt
    }
  }
}`;

/** Alerts are read by their recipients only: the account's own list, where the alert must appear. */
const ALERT = `query WebhookAlert {
  myAlerts(first: 100) {
    edges { node {
      acknowledgedAt
      alert { id kind tierAtRaise description raisedAt personId person { ${PERSON_FIELDS} } }
    } }
  }
}`;

export interface Selection {
  query: string;
  operationName: string;
  /** The record from the operation's data, or null when the account cannot read it. */
  pick(data: Record<string, unknown>, recordId: string): unknown;
}

const field =
  (name: string) =>
  (data: Record<string, unknown>): unknown =>
    data[name] ?? null;

const disputeSelection: Selection = {
  query: DISPUTE,
  operationName: 'WebhookDispute',
  pick: field('dispute'),
};

/** The fixed selection of an event about a record of `recordType`. Tests read the same texts. */
export function selectionFor(eventType: WebhookEventType, recordType: string): Selection {
  switch (eventType) {
    case WebhookEventType.DISPUTE_REGISTERED:
    case WebhookEventType.DISPUTE_STATUS_CHANGED:
    case WebhookEventType.DISPUTE_ESCALATED:
      return disputeSelection;
    case WebhookEventType.TIER_CHANGED:
      return { query: PERSON, operationName: 'WebhookPerson', pick: field('person') };
    case WebhookEventType.ASSIGNMENT_MADE:
      return recordType === 'Person'
        ? { query: PERSON_ASSIGNMENT, operationName: 'WebhookPersonAssignment', pick: field('person') }
        : disputeSelection;
    case WebhookEventType.ALERT_RAISED:
      return {
        query: ALERT,
        operationName: 'WebhookAlert',
        pick(data, recordId) {
          const page = data.myAlerts as { edges?: { node: { alert?: { id?: string } | null } }[] } | null;
          const received = (page?.edges ?? []).map((edge) => edge.node);
          return received.find((entry) => entry.alert?.id === recordId) ?? null;
        },
      };
    case WebhookEventType.AUDIT_CHECKPOINT:
      // Signed metadata about the chain, carried as written (checkpointPayloadOf): no record is read.
      throw new Error('an audit checkpoint is not read from a record');
  }
}

/**
 * An AUDIT_CHECKPOINT event's payload: the checkpoint itself (chain, seq, hash, time, signature), as
 * signed by the server's checkpoint key — no record data — and only for an AUDITOR account; null for
 * any other, so its endpoint gets no delivery.
 */
export function checkpointPayloadOf(identity: Identity, detail: unknown): AuditCheckpoint | null {
  if (principalOf(identity).capability !== 'AUDITOR') return null;
  const checkpoint = detail as Partial<AuditCheckpoint> | null;
  if (!checkpoint || typeof checkpoint.signature !== 'string' || typeof checkpoint.seq !== 'string')
    return null;
  return {
    chainId: String(checkpoint.chainId),
    seq: checkpoint.seq,
    hash: checkpoint.hash ?? null,
    at: String(checkpoint.at),
    signature: checkpoint.signature,
  };
}

/** The key the record goes under in the payload's `data`. */
export function dataKeyOf(eventType: WebhookEventType, recordType: string): string {
  if (eventType === WebhookEventType.ALERT_RAISED) return 'receivedAlert';
  if (eventType === WebhookEventType.AUDIT_CHECKPOINT) return 'auditCheckpoint';
  return recordType === 'Person' ? 'person' : 'dispute';
}

export class PayloadReadFailed extends Error {}

/**
 * The record of an event as `identity` reads it, or null when it cannot. Denied fields are null, as
 * over HTTP; a failure of the read itself (the audit write, the database) throws, so the event is
 * fanned out again later rather than lost.
 */
export async function readEventRecord(
  readAsAccount: ReadAsAccount,
  identity: Identity,
  eventType: WebhookEventType,
  recordType: string,
  recordId: string,
  requestId: string,
): Promise<unknown> {
  const selection = selectionFor(eventType, recordType);
  const result = await readAsAccount(
    identity,
    {
      query: selection.query,
      operationName: selection.operationName,
      variables: eventType === WebhookEventType.ALERT_RAISED ? {} : { id: recordId },
    },
    requestId,
  );
  const failed = (result.errors ?? []).find((error) => {
    const code = error.extensions?.code;
    return code !== 'FORBIDDEN' && code !== 'NOT_FOUND';
  });
  if (failed) throw new PayloadReadFailed(failed.message);
  if (!result.data) return null;
  return selection.pick(result.data as Record<string, unknown>, recordId);
}
