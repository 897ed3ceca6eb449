// The AUDITOR's access report of one person: thin — arguments in, service call, result out.
import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { pageSize } from '../../database/paging';
import { personAccessReport } from './access-report.service';
import { PersonAccessReport } from './access-report.type';

@Resolver()
export class AccessReportResolver {
  @Query(() => PersonAccessReport, {
    nullable: true,
    description:
      '个人信息访问报告（仅审计员） / Every read and change of a person’s records, from the audit (AUDITOR only)',
  })
  async personAccessReport(
    @Ctx() context: RequestContext,
    @Arg('personId', () => ID) personId: string,
    @Arg('from', () => Date, { nullable: true }) from?: Date,
    @Arg('to', () => Date, { nullable: true }) to?: Date,
    @Arg('first', () => Int, { nullable: true, description: '每页条数（最多100） / Page size, at most 100' })
    first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<PersonAccessReport> {
    const report = await personAccessReport(context.dataSource, {
      personId,
      from,
      to,
      first: pageSize(first, context.app.config.limits.maxPageSize),
      after,
    });
    // Reading the report is an access to the audit, as reading the trail is.
    for (const entry of report.entries)
      context.recordSensitiveRead('AuditEntry', entry.seq, 'personAccessReport');
    return {
      personId: report.personId,
      anonymisedAt: report.anonymisedAt,
      totalCount: report.totalCount,
      edges: report.entries.map((node) => ({ cursor: node.seq, node })),
      pageInfo: { hasNextPage: report.hasNextPage, endCursor: report.entries.at(-1)?.seq ?? null },
    };
  }
}
