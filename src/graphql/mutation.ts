// The shape every mutation shares: validate the input, run the work in one transaction together with
// its audit entries, and turn input problems into userErrors (rolling back whatever was written).
import { validate, type ValidationError } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { writeAuditEntries, type AuditRecord } from '../audit/audit-log';
import type { RequestContext } from '../request-scope';
import { findIdempotentRecord, payloadFingerprint, rememberIdempotentRecord } from '../database/idempotency';
import { ErrorCode, userError, UserInputProblem, type Bilingual, type UserError } from './errors';

export interface MutationOutcome<T> {
  result: T;
  audit: AuditRecord[];
}

export type MutationResult<T> =
  { result: T; userErrors: UserError[] } | { result: null; userErrors: UserError[] };

/**
 * The Chinese half of an input rule's message, by class-validator constraint: the English half is the
 * rule's own message (which names the field and the limit). A constraint missing here fails
 * test/graphql/error-model.test.ts.
 */
export const CONSTRAINT_MESSAGES_ZH: Readonly<Record<string, string>> = {
  maxLength: '文字过长',
  minLength: '文字过短',
  isUuid: '不是本系统签发的编号',
  matches: '格式不符',
  isEnum: '不是可选的值',
  isIn: '不是可选的值',
  isInt: '须为整数',
  isPositive: '须为正数',
  min: '数值过小',
  max: '数值过大',
  isBoolean: '须为是或否',
  arrayMaxSize: '条目过多',
  arrayMinSize: '条目过少',
  arrayNotEmpty: '至少填写一项',
  isCalendarDate: '日期无效',
  isNationalIdNumber: '身份证号码无效',
  isRegistrableIdNumber: '身份证号码无法登记',
  agreesWithBirthDate: '身份证号码与出生日期不符',
  isRegistrableLicenseNumber: '许可证号无法登记：须为4–64位字母、数字、括号或短横线，且尚未登记',
};

export const constraintMessageZh = (constraint: string): string =>
  CONSTRAINT_MESSAGES_ZH[constraint] ?? '输入有误';

function flatten(errors: ValidationError[], prefix: string): UserError[] {
  return errors.flatMap((error) => {
    const field = `${prefix}.${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) =>
      userError(field, { zh: constraintMessageZh(constraint), en: message }),
    );
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

export async function inputProblems(input: object, prefix = 'input'): Promise<UserError[]> {
  const errors = await validate(input, { forbidUnknownValues: false });
  return flatten(errors, prefix);
}

export async function runMutation<T>(
  context: RequestContext,
  input: object,
  work: (tx: EntityManager) => Promise<MutationOutcome<T>>,
): Promise<MutationResult<T>> {
  void context.user; // every mutation needs a signed-in identity
  const problems = await inputProblems(input);
  if (problems.length > 0) return { result: null, userErrors: problems };
  try {
    const result = await context.dataSource.transaction(async (tx) => {
      const outcome = await work(tx);
      await writeAuditEntries(tx, context, outcome.audit);
      return outcome.result;
    });
    return { result, userErrors: [] };
  } catch (error) {
    if (error instanceof UserInputProblem) return { result: null, userErrors: error.userErrors };
    throw error;
  }
}

/**
 * Runs a create idempotently: with a key already used by this actor for this operation, returns
 * the id recorded then and creates nothing; otherwise creates and remembers the key.
 */
export async function createIdempotently(
  tx: EntityManager,
  context: RequestContext,
  operation: string,
  /** The mutation's whole input: its idempotencyKey, and what a retry must repeat exactly. */
  input: { idempotencyKey?: string | null },
  create: () => Promise<string>,
): Promise<{ id: string; replayed: boolean }> {
  const key = input.idempotencyKey;
  if (!key) return { id: await create(), replayed: false };
  const fingerprint = payloadFingerprint(input);
  const existing = await findIdempotentRecord(tx, context.user.id, operation, key, fingerprint);
  if (existing) return { id: existing, replayed: true };
  const id = await create();
  await rememberIdempotentRecord(tx, context.user.id, operation, key, id, fingerprint);
  return { id, replayed: false };
}

export function problem(field: string, text: Bilingual, code = ErrorCode.BAD_USER_INPUT): UserInputProblem {
  return new UserInputProblem([userError(field, text, code)]);
}
