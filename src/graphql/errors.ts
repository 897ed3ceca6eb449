// The one error vocabulary (SPEC §5): GraphQL errors with extensions.code, and userErrors in payloads.
import { GraphQLError } from 'graphql';
import { Field, Int, ObjectType } from 'type-graphql';
import { bilingualEnum } from './enums';

export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  TOO_MANY_REQUESTS = 'TOO_MANY_REQUESTS',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  INVALID_STATE = 'INVALID_STATE',
  NOT_ALLOWED = 'NOT_ALLOWED',
  CURSOR_EXPIRED = 'CURSOR_EXPIRED',
}
bilingualEnum(ErrorCode, 'ErrorCode', '错误代码 / Error code', {
  UNAUTHENTICATED: '未登录或凭证无效 / Not signed in, or the credential is not valid',
  FORBIDDEN: '无权限 / Not permitted',
  NOT_FOUND: '不存在或不在权限范围内 / Does not exist, or is outside your scope',
  BAD_USER_INPUT: '输入有误 / Invalid input',
  CONFLICT: '版本冲突或重复 / Stale version or duplicate',
  TOO_MANY_REQUESTS:
    '超出请求额度 / Over the service account’s request budget: retry after retryAfterSeconds',
  INTERNAL_SERVER_ERROR: '服务器内部错误 / Internal error',
  INVALID_STATE:
    '当前状态不允许此步骤 / The record’s current state does not allow this step (a userError: already done, closed, at the top level)',
  NOT_ALLOWED:
    '业务规则不允许 / A business rule refuses it for this record (a userError: e.g. only the leader of the dispute’s own grid)',
  CURSOR_EXPIRED:
    '游标已过期 / The change-feed cursor points before the oldest change kept (CHANGE_FEED_DAYS): read the records afresh, then follow the feed from its start',
});

/**
 * A userError's message in both languages: the project writes every text a user reads as
 * "中文 / English" (descriptions, labels, errors), so a UI shows the half its reader wants.
 */
export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

export const bilingualText = (text: Bilingual): string => `${text.zh} / ${text.en}`;

/** The shape every userError message has: Chinese first, then " / ", then English. */
export const BILINGUAL_MESSAGE = /^[^/]*\p{Script=Han}[^/]* \/ .*[A-Za-z]/su;

export const unauthenticated = (message = 'Sign in first: the credential is missing, invalid or expired') =>
  new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });

export const forbidden = (message = 'Your department and position may not do this') =>
  new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } });

/**
 * A record that does not exist or lies outside the caller's scope: the two answer alike (SPEC §4, no
 * existence signals), so the message names the kind of record only — never an id, not even the
 * caller's own input. `_id` is accepted for existing callers and ignored.
 */
export const notFound = (type: string) =>
  new GraphQLError(`No ${type} with this id within your scope`, {
    extensions: { code: ErrorCode.NOT_FOUND },
  });

export const badUserInput = (message: string, field?: string) =>
  new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...(field ? { field } : {}) } });

export const conflict = (message: string) =>
  new GraphQLError(message, { extensions: { code: ErrorCode.CONFLICT } });

@ObjectType({ description: '输入问题 / A problem with the input; nothing was changed' })
export class UserError {
  @Field(() => String, { nullable: true, description: '字段路径 / Path of the input field, e.g. input.name' })
  field: string | null;

  @Field({ description: '说明 / What is wrong and how to fix it' })
  message: string;

  @Field(() => ErrorCode, { description: '代码 / Code' })
  code: ErrorCode;

  @Field(() => Int, {
    nullable: true,
    description:
      '当前版本 / With CONFLICT for a stale expectedVersion: the record’s version now, to reload and retry',
  })
  currentVersion: number | null;
}

export function userError(
  field: string | null,
  text: Bilingual,
  code = ErrorCode.BAD_USER_INPUT,
  currentVersion: number | null = null,
): UserError {
  return Object.assign(new UserError(), { field, message: bilingualText(text), code, currentVersion });
}

/** Thrown inside a service to abort its transaction and come back as userErrors in the payload. */
export class UserInputProblem extends Error {
  constructor(readonly userErrors: UserError[]) {
    super(userErrors.map((e) => e.message).join('; '));
  }
}

/**
 * A stale `expectedVersion` on a record the caller may see (found in scope first, so the version
 * reveals nothing new): CONFLICT with the current version, so a UI reloads and retries.
 */
export function staleVersion(
  record: Bilingual,
  current: number,
  expected: number | null | undefined,
  field = 'input.expectedVersion',
): UserInputProblem {
  return new UserInputProblem([
    userError(
      field,
      {
        zh: `${record.zh}已被他人修改：当前版本 ${current}，不是 ${expected ?? '无'}`,
        en: `The ${record.en} is at version ${current}, not ${expected ?? 'none'}: reload it and try again`,
      },
      ErrorCode.CONFLICT,
      current,
    ),
  ]);
}

/** A business rule refuses the step for this record (the caller may run the operation elsewhere). */
export const ruleRefusal = (field: string | null, text: Bilingual): UserInputProblem =>
  new UserInputProblem([userError(field, text, ErrorCode.NOT_ALLOWED)]);
