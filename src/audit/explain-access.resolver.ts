// `explainAccess` for AUDITOR accounts (issue 24 item 5): why an account reads a field, gets it masked
// or is denied it — the policy row and the audience it matched, the value filter, whether a read is
// audited, and the account's row scope as a rule. Asked of the code that enforces it
// (src/permissions/explain.ts). It takes no record: whether one record is in an account's scope, or
// passes a value filter, depends on the record's data (its grid, tier, special statuses, disputes),
// none of which an AUDITOR may read — "POLICE sees this person" would say the person is RED or
// DRUG_INVOLVED. Record facts are for `npm run policy:explain -- --record`, run on the database itself.
import { Arg, Ctx, Field, Info, ObjectType, Query, Resolver } from 'type-graphql';
import { isObjectType, type GraphQLResolveInfo } from 'graphql';
import type { RequestContext } from '../request-scope';
import { loadUserIdentity, withBreakGlassGrants } from '../auth/identity-store';
import { badUserInput } from '../graphql/errors';
import { bilingualEnum } from '../graphql/enums';
import { isUuid } from '../graphql/validation';
import { explainAccess, type AccessOutcome } from '../permissions/explain';
import { DepartmentCode } from '../domain/organisation/organisation.enums';

enum ExplainedOutcome {
  READ = 'READ',
  MASKED = 'MASKED',
  DENIED = 'DENIED',
  OUT_OF_SCOPE = 'OUT_OF_SCOPE',
}
bilingualEnum(ExplainedOutcome, 'AccessOutcome', '访问结果 / What the account gets of a field', {
  READ: '可读 / Reads the value',
  MASKED: '脱敏 / Reads a masked value',
  DENIED: '拒绝 / Null and FORBIDDEN',
  OUT_OF_SCOPE: '超出范围 / The record is outside its row scope: NOT_FOUND',
});

@ObjectType({ description: '被解释的账号 / The account an access decision is explained for' })
export class ExplainedAccount {
  @Field({ description: '用户名 / Username' })
  username: string;

  @Field(() => DepartmentCode, { description: '部门 / Department' })
  department: string;

  @Field({ description: '职位 / Position' })
  position: string;

  @Field(() => String, { nullable: true, description: '特殊权限 / ADMIN or AUDITOR' })
  capability: string | null;

  @Field({
    description: '辖区路径（可见范围的根） / Path of its jurisdiction node, the root of what it sees',
  })
  jurisdictionPath: string;
}

@ObjectType({ description: '权限表条目 / The policy row that governs the field' })
export class ExplainedPolicyRow {
  @Field({
    description: '所在表 / FIELD_POLICY, OPERATION_POLICY, STRUCTURAL_TYPES or NONE (denied by default)',
  })
  table: string;

  @Field({ description: '可读者 / Who reads the value (nobody, without a policy row)' })
  readers: string;

  @Field(() => String, { nullable: true, description: '脱敏可读者 / Who gets a masked value' })
  maskedFor: string | null;

  @Field(() => String, { nullable: true, description: '脱敏方式 / NATIONAL_ID, PHONE or ADDRESS' })
  maskKind: string | null;

  @Field({ description: '账号所属受众 / Which audience the account is in: READERS, MASKED or NONE' })
  matched: string;

  @Field(() => String, { nullable: true, description: '备注 / The policy row’s note' })
  note: string | null;
}

@ObjectType({ description: '按部门过滤的值 / A list value each department sees only its share of' })
export class ExplainedValueFilter {
  @Field({ description: '过滤方式 / SPECIAL_STATUS or INDICATOR_CATEGORY' })
  kind: string;

  @Field({ description: '该部门可见部分 / What the account’s department sees of it' })
  rule: string;
}

@ObjectType({ description: '访问决定的解释 / Why an account reads, gets masked or is denied a field' })
export class AccessExplanation {
  @Field(() => ExplainedAccount)
  account: ExplainedAccount;

  @Field({ description: '字段 / Type.field' })
  field: string;

  @Field(() => ExplainedOutcome, { description: '对其范围内的记录 / For a record within its row scope' })
  outcome: AccessOutcome;

  @Field(() => ExplainedPolicyRow)
  policy: ExplainedPolicyRow;

  @Field({ description: '敏感字段 / Sensitive: reading the real value writes an audit entry' })
  sensitive: boolean;

  @Field({ description: '读取是否审计 / Whether the account’s read of the value is audited' })
  audited: boolean;

  @Field(() => ExplainedValueFilter, { nullable: true })
  valueFilter: ExplainedValueFilter | null;

  @Field({ description: '行范围规则 / The account’s row scope, as a rule' })
  rowScopeRule: string;

  @Field(() => [String], { description: '理由 / The explanation, step by step' })
  reasons: string[];
}

@Resolver()
export class ExplainAccessResolver {
  @Query(() => AccessExplanation, {
    nullable: true,
    description:
      '解释访问决定（仅审计员） / Why an account reads, gets masked or is denied a field (AUDITOR only; rules, no record data)',
  })
  async explainAccess(
    @Ctx() context: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('account', { description: '账号用户名或编号 / Username or id of the account' }) account: string,
    @Arg('field', { description: '字段 / Type.field, e.g. Person.phone' }) field: string,
  ): Promise<AccessExplanation | null> {
    const [typeName = '', fieldName = ''] = field.split('.');
    const type = info.schema.getType(typeName);
    if (!isObjectType(type) || !type.getFields()[fieldName])
      throw badUserInput(
        `${field} is not a field of the schema: give Type.field, e.g. Person.phone`,
        'field',
      );
    const rows: { id: string }[] = await context.dataSource.query(
      isUuid(account) ? `SELECT id FROM users WHERE id = $1` : `SELECT id FROM users WHERE username = $1`,
      [account],
    );
    const found = rows[0] ? await loadUserIdentity(context.dataSource, rows[0].id) : null;
    if (!found) throw badUserInput('No active account has this username or id', 'account');
    const identity = await withBreakGlassGrants(context.dataSource, found, context.now());
    // Who asked about whom: the explanation is itself an access to the permission rules of an account.
    context.recordSensitiveRead('AccessExplanation', identity.id, field);
    const explanation = await explainAccess(context.dataSource, { identity, field, today: context.now() });
    return Object.assign(new AccessExplanation(), {
      ...explanation,
      account: Object.assign(new ExplainedAccount(), explanation.account),
      policy: Object.assign(new ExplainedPolicyRow(), {
        ...explanation.policy,
        readers: explanation.policy.readers ?? 'nobody: no policy row, denied by default',
      }),
      valueFilter:
        explanation.valueFilter && Object.assign(new ExplainedValueFilter(), explanation.valueFilter),
    });
  }
}
