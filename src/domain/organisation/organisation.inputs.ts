// GraphQL inputs and payloads of the organisation area's administration (ADMIN, per policy.ts): adding
// villages and grids, reorganising grids, and the dispute routing.
import { ArrayMaxSize, IsBoolean, IsInt, IsOptional, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../graphql/errors';
import { IdempotencyKey, UUID_MESSAGE } from '../../graphql/validation';
import { Jurisdiction } from './jurisdiction.entity';
import {
  AddedJurisdictionLevel,
  DepartmentCode,
  DisputeRouteMatch,
  ReorganisationKind,
} from './organisation.enums';

/** A node's own part of its code: the full code is the parent's code, a dot, and this. */
const LOCAL_CODE = /^[A-Z0-9]{1,16}$/;
const LOCAL_CODE_MESSAGE = 'must be 1–16 capital letters or digits, such as G05';
/** A Chinese name: Han characters, with digits, Latin letters and brackets where a name needs them. */
const CHINESE_NAME = /^(?=.*\p{Script=Han})[\p{Script=Han}0-9０-９A-Za-z（）()·\-—]{1,40}$/u;
const CHINESE_NAME_MESSAGE =
  'must be the Chinese name (中文名称), 1–40 characters: Han characters, digits and brackets, no spaces';
export const REASON_MAX = 2000;

@InputType({ description: '新增村/社区或网格 / Add a village under a street, or a grid under a village' })
export class AddJurisdictionInput {
  @Field(() => ID, {
    description: '上级辖区 / The parent node: a street for a village, a village for a grid',
  })
  @IsUUID('all', { message: `parentId ${UUID_MESSAGE}` })
  parentId: string;

  @Field(() => AddedJurisdictionLevel, {
    description: '层级 / VILLAGE (under a street) or GRID (under a village)',
  })
  level: AddedJurisdictionLevel;

  @Field({
    description:
      '本级编码，如 G05；完整编码为上级编码加“.”加本级编码 / The node’s own code, e.g. G05; its full code is the parent’s code, a dot, and this',
  })
  @Matches(LOCAL_CODE, { message: `localCode ${LOCAL_CODE_MESSAGE}` })
  localCode: string;

  @Field({ description: '中文名称 / Chinese name, e.g. 东村第五网格' })
  @Matches(CHINESE_NAME, { message: `name ${CHINESE_NAME_MESSAGE}` })
  name: string;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@ObjectType()
export class AddJurisdictionPayload {
  @Field(() => Jurisdiction, { nullable: true })
  jurisdiction: Jurisdiction | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType({
  description:
    '网格划转：把网格及其全部记录移到另一村/社区 / Move a grid, with every record in it, to another village',
})
export class ReorganiseMoveGridInput {
  @Field(() => ID, { description: '要划转的网格 / The grid to move' })
  @IsUUID('all', { message: `gridId ${UUID_MESSAGE}` })
  gridId: string;

  @Field(() => ID, { description: '目标村/社区 / The village it moves to' })
  @IsUUID('all', { message: `villageId ${UUID_MESSAGE}` })
  villageId: string;

  @Field(() => String, {
    nullable: true,
    description:
      '新节点的本级编码（默认沿用原编码的末段） / Own code of the grid in its new village; by default the last part of its present code',
  })
  @IsOptional()
  @Matches(LOCAL_CODE, { message: `localCode ${LOCAL_CODE_MESSAGE}` })
  localCode?: string | null;

  @Field(() => String, {
    nullable: true,
    description: '新名称（默认沿用） / New Chinese name; by default the present one',
  })
  @IsOptional()
  @Matches(CHINESE_NAME, { message: `name ${CHINESE_NAME_MESSAGE}` })
  name?: string | null;

  @Field({ description: '调整原因 / Why, for the audit trail' })
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(REASON_MAX)
  reason: string;

  @Field({
    defaultValue: false,
    description: '试运行：只报告将移动多少记录 / Dry run: only report what would move',
  })
  @IsBoolean()
  dryRun: boolean;
}

@InputType({
  description:
    '网格合并：把一个网格的全部记录并入另一网格 / Merge a grid, with every record in it, into another grid',
})
export class ReorganiseMergeGridsInput {
  @Field(() => ID, { description: '被合并（停用）的网格 / The grid merged away (retired)' })
  @IsUUID('all', { message: `gridId ${UUID_MESSAGE}` })
  gridId: string;

  @Field(() => ID, { description: '并入的网格 / The grid it is merged into' })
  @IsUUID('all', { message: `intoGridId ${UUID_MESSAGE}` })
  intoGridId: string;

  @Field({ description: '调整原因 / Why, for the audit trail' })
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(REASON_MAX)
  reason: string;

  @Field({
    defaultValue: false,
    description: '试运行：只报告将移动多少记录 / Dry run: only report what would move',
  })
  @IsBoolean()
  dryRun: boolean;
}

@ObjectType({
  description:
    '随调整移动的记录数 / How many records of a kind move. Records of people and cases are counted as the monthly figures are: below 5 the count is shown as <5 (count null, suppressed true), since an ADMIN reads no personal data',
})
export class MovedRecordCount {
  @Field({ description: '记录类型 / Record type, e.g. Person, Dispute, User' })
  recordType: string;

  @Field(() => Int, { nullable: true, description: '数 / The count; null when suppressed (<5)' })
  count: number | null;

  @Field({ description: '小于5而不显示 / true: the count is 0–4 and shown as <5' })
  suppressed: boolean;
}

@ObjectType({ description: '辖区调整 / A reorganisation of the tree: a grid retired, its records moved' })
export class Reorganisation {
  @Field(() => ID, { nullable: true, description: '编号（试运行时为空） / Id; null for a dry run' })
  id: string | null;

  @Field(() => ReorganisationKind, { description: '调整类型 / Move or merge' })
  kind: ReorganisationKind;

  @Field({ description: '是否试运行（未做任何改动） / true: a dry run, nothing was changed' })
  dryRun: boolean;

  @Field(() => Jurisdiction, { description: '停用的网格 / The grid retired: it takes no new records' })
  retiredGrid: Jurisdiction;

  @Field(() => Jurisdiction, {
    nullable: true,
    description:
      '承接的网格（划转试运行时尚未建立，为空） / The grid the records move to; null in a dry run of a move',
  })
  successorGrid: Jurisdiction | null;

  @Field({ description: '承接网格的编码 / Code of the grid the records move to' })
  successorCode: string;

  @Field({ description: '承接网格的名称 / Chinese name of the grid the records move to' })
  successorName: string;

  @Field(() => [MovedRecordCount], { description: '移动的记录 / What moves, by record type' })
  moved: MovedRecordCount[];
}

@ObjectType()
export class ReorganisationPayload {
  @Field(() => Reorganisation, { nullable: true })
  reorganisation: Reorganisation | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType({
  description: '一条分流规则 / Which departments one category, source or venue routes a dispute to',
})
export class DisputeRouteEntry {
  @Field(() => DisputeRouteMatch, { description: '分流依据 / Category, source or venue' })
  matchKind: DisputeRouteMatch;

  @Field({ description: '类别、来源或场所的值 / The category, source or venue, e.g. LAND_FOREST' })
  matchValue: string;

  @Field(() => [DepartmentCode], {
    description:
      '分流到的部门编码 / Departments the dispute is routed to (COMPREHENSIVE_GOVERNANCE, GRID and CITY_CENTER see every dispute and are not listed)',
  })
  departmentCodes: string[];
}

@ObjectType({
  description:
    '纠纷分流（参考数据） / The dispute routing: which departments each category, source and venue routes a dispute to; it decides which disputes a department sees',
})
export class DisputeRouting {
  @Field(() => Int, {
    description: '版本（每次修改加一，0 为初始配置） / Version: 0 is the shipped default, each edit adds one',
  })
  version: number;

  @Field(() => [DisputeRouteEntry], {
    description: '每个类别、来源和场所一条 / One line per category, source and venue',
  })
  routes: DisputeRouteEntry[];
}

@InputType({
  description:
    '修改一条分流规则 / Set the departments one category, source or venue routes a dispute to; takes effect on the next request',
})
export class SetDisputeRouteInput {
  @Field(() => DisputeRouteMatch, { description: '分流依据 / Category, source or venue' })
  matchKind: DisputeRouteMatch;

  @Field({ description: '类别、来源或场所的值 / The category, source or venue, e.g. LAND_FOREST' })
  @Matches(/^[A-Z_]{1,64}$/, {
    message: 'matchValue must be a category, source or venue such as LAND_FOREST',
  })
  matchValue: string;

  @Field(() => [DepartmentCode], {
    description: '部门编码（可为空） / Department codes; empty routes it to none',
  })
  @ArrayMaxSize(20)
  departmentCodes: string[];

  @Field(() => Int, { description: '读取时的分流版本 / The routing version this edit was made against' })
  @IsInt()
  @Min(0)
  expectedVersion: number;

  @Field({ description: '修改原因 / Why, for the audit trail' })
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(REASON_MAX)
  reason: string;
}

@ObjectType()
export class SetDisputeRoutePayload {
  @Field(() => DisputeRouting, { nullable: true, description: '修改后的分流 / The routing after the edit' })
  routing: DisputeRouting | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
