// GraphQL types of the access report (issue 24 item 1): records named by id, accounts by username,
// never a value of the person's data.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../../graphql/connection';
import { DepartmentCode } from '../organisation/organisation.enums';

@ObjectType({ description: '访问记录 / One read or change of the person’s records, from the audit' })
export class PersonAccessEntry {
  @Field({ description: '审计序号 / Audit sequence number' })
  seq: string;

  @Field({ description: '时间 / When' })
  occurredAt: Date;

  @Field({ description: '动作 / READ or MUTATION' })
  action: string;

  @Field({ description: '操作 / GraphQL operation, export, webhook delivery or command' })
  operation: string;

  @Field({
    description:
      '途径 / HTTP, WEBSOCKET, EXPORT, WEBHOOK, COMMAND, or GRAPHQL (a GraphQL operation whose transport the audit did not note)',
  })
  transport: string;

  @Field({ description: '记录类型 / Record type (Person, Assessment, Dispute …)' })
  recordType: string;

  @Field(() => [ID], { description: '记录 / Ids of the person’s records the entry names (no others)' })
  recordIds: string[];

  @Field(() => [String], { description: '字段 / Fields read or changed' })
  fields: string[];

  @Field(() => ID, { nullable: true, description: '账号 / Account (none: an operator command)' })
  accountId: string | null;

  @Field(() => String, { nullable: true, description: '账号名 / Username of the account' })
  accountUsername: string | null;

  @Field(() => DepartmentCode, {
    nullable: true,
    description: '部门 / Department of the account at the time',
  })
  department: string | null;

  @Field(() => String, { nullable: true, description: '职务 / WORKER or LEADER' })
  position: string | null;

  @Field(() => String, { nullable: true, description: '理由 / Reason given (a correction’s, …)' })
  reason: string | null;
}

@ObjectType({ description: '访问记录 — edge / Access report edge' })
export class PersonAccessEntryEdge {
  @Field({ description: '游标 / Cursor' })
  cursor: string;

  @Field(() => PersonAccessEntry)
  node: PersonAccessEntry;
}

@ObjectType({
  description: '个人信息访问报告 / Who read or changed a person’s records, newest first (AUDITOR)',
})
export class PersonAccessReport {
  @Field(() => ID, { description: '人员 / The person, by id only' })
  personId: string;

  @Field(() => Date, {
    nullable: true,
    description: '匿名化时间 / When retention anonymised the record; null while it holds personal data',
  })
  anonymisedAt: Date | null;

  @Field(() => [PersonAccessEntryEdge])
  edges: PersonAccessEntryEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { description: '总数 / Entries within from/to' })
  totalCount: number;
}
