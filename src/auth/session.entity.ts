// A sign-in session (会话): one row per access token, keyed by the token's `jti`. A token is accepted
// only while its session is open, so ending the session (logout, an ADMIN, a password reset, a
// disabled account) refuses the token at once on every replica. Ended rows are kept until the token
// would have expired — the deny list — then deleted.
import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { Reads } from '../graphql/reads';

export enum SessionEndReason {
  LOGOUT = 'LOGOUT',
  ENDED_BY_ADMIN = 'ENDED_BY_ADMIN',
  ACCOUNT_DISABLED = 'ACCOUNT_DISABLED',
  PASSWORD_CHANGED = 'PASSWORD_CHANGED',
  PASSWORD_RESET = 'PASSWORD_RESET',
  SECOND_FACTOR_RESET = 'SECOND_FACTOR_RESET',
}

@ObjectType({ description: '登录会话 / A signed-in session (one access token)' })
@Entity('sessions')
export class Session {
  @Field(() => ID, { description: '会话编号（令牌的 jti） / Session id: the token’s jti' })
  @PrimaryColumn('uuid')
  id: string;

  @Index()
  @Column('uuid')
  userId: string;

  @Field({ description: '登录时间 / Signed in at' })
  @Column({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Field({ description: '最近使用（精确到分钟） / Last used, to the minute' })
  @Column('timestamptz')
  lastUsedAt: Date;

  @Field({ description: '到期时间 / The token expires at' })
  @Column('timestamptz')
  expiresAt: Date;

  @Field({ name: 'signedInFrom', description: '登录来源（网络地址） / The network address signed in from' })
  @Reads('clientAddress')
  @Column('text')
  clientAddress: string;

  /**
   * When this session passed the second factor (signing in with a code, or confirming an enrolment);
   * null: the password only. A LEADER, ADMIN or AUDITOR session without it may only enrol.
   */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  secondFactorAt: Date | null;

  @Column('timestamptz', { nullable: true })
  endedAt: Date | null;

  @Column('text', { nullable: true })
  endReason: SessionEndReason | null;

  /** Not a column: set by the list for the caller's own token. */
  @Field({ description: '当前会话 / The session of the token making this request' })
  @Reads('id')
  current: boolean;
}
