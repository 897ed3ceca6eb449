// A user account (账号): department, position and the jurisdiction node that roots what they may see.
// Managed by an ADMIN (src/domain/administration/); the password hash, the sealed TOTP secret and the
// recovery codes' hashes never leave the server.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Capability, DepartmentCode, Position } from './organisation.enums';

@ObjectType({ description: '账号 / User account' })
@Entity('users')
export class User {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({
    description: '账号类型：USER 人员账号，SERVICE 部门系统对接 / USER or SERVICE (department integration)',
  })
  @Column('text', { default: 'USER' })
  kind: 'USER' | 'SERVICE';

  @Field({ description: '用户名 / Username' })
  @Column('text', { unique: true })
  username: string;

  @Field({ description: '显示名称 / Display name' })
  @Column('text')
  displayName: string;

  @Field(() => DepartmentCode, { description: '部门编码 / Department code' })
  @Column('text')
  departmentCode: string;

  @Field(() => Position, { description: '职务 / Position' })
  @Column('text')
  position: Position;

  @Field(() => ID, { description: '辖区根节点 / Root of what the user may see' })
  @Column('uuid')
  jurisdictionId: string;

  @Field(() => [Capability], { description: '特别权限 / Capabilities' })
  @Column('text', { array: true, default: () => "'{}'" })
  capabilities: Capability[];

  @Field({ description: '是否启用 / Whether the account may sign in' })
  @Column('boolean', { default: true })
  active: boolean;

  @Column('text')
  passwordHash: string;

  @Field({
    description:
      '须修改密码 / Signed in with a temporary password: only changePassword, me and logout are allowed until it is changed',
  })
  @Column('boolean', { default: false })
  passwordChangeRequired: boolean;

  /** Set while the password is a temporary one: it signs in once, and not after this. */
  @Column('timestamptz', { nullable: true })
  temporaryPasswordExpiresAt: Date | null;

  @Column('timestamptz', { nullable: true })
  passwordChangedAt: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      '动态验证码启用时间（空：未启用） / When a second factor (TOTP) was enrolled; null: none. LEADER, ADMIN and AUDITOR accounts need one',
  })
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  secondFactorEnrolledAt: Date | null;

  /** Sealed with the second-factor key (src/auth/second-factor-key.ts); read only where a code is checked. */
  @Column('text', { nullable: true, select: false })
  totpSecretSealed: string | null;

  /** The last time step a code was accepted for: a code works once. */
  @Column('bigint', { nullable: true, select: false })
  totpLastStep: string | null;

  /** SHA-256 of each unused recovery code (src/auth/totp.ts). */
  @Column('text', { array: true, default: () => "'{}'", select: false })
  recoveryCodeHashes: string[];

  @Field(() => Int, { description: '版本 / Version, for expectedVersion' })
  @Column('integer', { default: 1 })
  version: number;

  @Field({ description: '创建时间 / Created at' })
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
