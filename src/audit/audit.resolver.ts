// The audit trail for AUDITOR accounts: who did or read what, when, in which request.
import { IsOptional } from 'class-validator';
import { Arg, Ctx, Field, ID, InputType, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-scope';
import { badUserInput } from '../graphql/errors';
import { pageSize } from '../database/paging';
import { isUuid } from '../graphql/validation';
import { DepartmentCode } from '../domain/organisation/organisation.enums';

@ObjectType({ description: '审计记录 / Audit entry (append-only, hash-chained)' })
export class AuditEntry {
  @Field({ description: '序号 / Sequence number' })
  seq: string;

  @Field({ description: '时间 / When' })
  occurredAt: Date;

  @Field({ description: '主体类型 / USER, SERVICE or ANONYMOUS' })
  actorKind: string;

  @Field(() => ID, { nullable: true, description: '主体 / Account' })
  actorId: string | null;

  @Field(() => DepartmentCode, { nullable: true, description: '主体部门 / Department of the account' })
  actorDepartment: string | null;

  @Field({ description: '请求编号 / Request id' })
  requestId: string;

  @Field({ description: '动作 / MUTATION, READ, LOGIN or LOGIN_FAILED' })
  action: string;

  @Field({ description: '操作 / GraphQL operation' })
  operation: string;

  @Field({ description: '记录类型 / Record type' })
  recordType: string;

  @Field(() => [ID], { description: '记录 / Record ids' })
  recordIds: string[];

  @Field(() => [String], { description: '字段 / Fields' })
  fields: string[];

  @Field({ description: '本条哈希 / Hash of this entry' })
  hash: string;
}

@InputType({ description: '审计筛选 / Filter the audit trail' })
export class AuditFilter {
  @Field(() => ID, { nullable: true, description: '主体 / Account' })
  @IsOptional()
  actorId?: string | null;

  @Field(() => ID, { nullable: true, description: '涉及记录 / Record id' })
  @IsOptional()
  recordId?: string | null;

  @Field(() => String, { nullable: true, description: '动作 / Action' })
  @IsOptional()
  action?: string | null;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  from?: Date | null;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  to?: Date | null;
}

@ObjectType({ description: '审计记录页 / A page of the audit trail, newest first' })
export class AuditTrailPage {
  @Field(() => [AuditEntry])
  entries: AuditEntry[];

  @Field(() => String, {
    nullable: true,
    description: '下一页游标（序号） / Pass as `before` for the next page',
  })
  nextBefore: string | null;
}

interface AuditRow {
  seq_text: string;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string | null;
  actor_department: string | null;
  request_id: string;
  action: string;
  operation: string;
  record_type: string;
  record_ids: string[];
  fields: string[];
  hash: string;
}

/** The largest sequence number PostgreSQL's bigint holds. */
const MAX_SEQUENCE = 9223372036854775807n;

/** `before` as a sequence number (decimal digits within bigint), or BAD_USER_INPUT. */
function sequenceNumber(value: string): string {
  if (!/^\d{1,19}$/.test(value) || BigInt(value) > MAX_SEQUENCE)
    throw badUserInput('before must be a sequence number (a nextBefore this API issued)', 'before');
  return BigInt(value).toString();
}

@Resolver()
export class AuditResolver {
  @Query(() => AuditTrailPage, {
    nullable: true,
    description: '审计日志（仅审计员） / The audit trail (AUDITOR only)',
  })
  async auditTrail(
    @Ctx() context: RequestContext,
    @Arg('filter', () => AuditFilter, { nullable: true }) filter?: AuditFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('before', () => String, { nullable: true }) before?: string,
  ): Promise<AuditTrailPage> {
    const size = pageSize(first, context.app.config.limits.maxPageSize);
    for (const id of [filter?.actorId, filter?.recordId]) {
      if (id && !isUuid(id)) throw badUserInput(`${id} is not an ID this API issued`, 'filter');
    }
    const beforeSeq = before === undefined || before === null ? null : sequenceNumber(before);
    const conditions: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      conditions.push(sql.replace('?', `$${params.length}`));
    };
    if (filter?.actorId) add('actor_id = ?', filter.actorId);
    if (filter?.recordId) add('record_ids @> ARRAY[?]::text[]', filter.recordId);
    if (filter?.action) add('action = ?', filter.action);
    if (filter?.from) add('occurred_at >= ?', filter.from);
    if (filter?.to) add('occurred_at < ?', filter.to);
    if (beforeSeq !== null) add('seq < ?::bigint', beforeSeq);
    params.push(size + 1);
    const rows: AuditRow[] = await context.dataSource.query(
      // Ordered by the bigint column itself: ordering the text form put 99 after 990 and hid 1000 on.
      `SELECT seq::text AS seq_text, occurred_at, actor_kind, actor_id, actor_department, request_id, action, operation,
              record_type, record_ids, fields, hash
         FROM audit_entries ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY audit_entries.seq DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, size);
    // Reading the trail is itself an access to audit: who looked, and which entries they saw.
    for (const row of page) context.recordSensitiveRead('AuditEntry', row.seq_text, 'auditTrail');
    return {
      entries: page.map((row) =>
        Object.assign(new AuditEntry(), {
          seq: row.seq_text,
          occurredAt: row.occurred_at,
          actorKind: row.actor_kind,
          actorId: row.actor_id,
          actorDepartment: row.actor_department,
          requestId: row.request_id,
          action: row.action,
          operation: row.operation,
          recordType: row.record_type,
          recordIds: row.record_ids,
          fields: row.fields,
          hash: row.hash,
        }),
      ),
      nextBefore: rows.length > size ? (page.at(-1)?.seq_text ?? null) : null,
    };
  }
}
