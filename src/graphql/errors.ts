// The one error vocabulary (SPEC §5): GraphQL errors with extensions.code, and userErrors in payloads.
import { GraphQLError } from 'graphql';
import { Field, ObjectType } from 'type-graphql';
import { bilingualEnum } from './enums';

export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  TOO_MANY_REQUESTS = 'TOO_MANY_REQUESTS',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
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
});

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
}

export function userError(field: string | null, message: string, code = ErrorCode.BAD_USER_INPUT): UserError {
  return Object.assign(new UserError(), { field, message, code });
}

/** Thrown inside a service to abort its transaction and come back as userErrors in the payload. */
export class UserInputProblem extends Error {
  constructor(readonly userErrors: UserError[]) {
    super(userErrors.map((e) => e.message).join('; '));
  }
}
