// GraphQL entry point of bulk import: thin — the file from the request, the service, the answer.
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { ImportProblem, ImportRecordsInput, ImportRecordsPayload } from './import.inputs';
import { importRecords } from './import.service';
import { rowProblem, type RowProblem } from './rows';
import { sourceOf } from './source';

/** The problems a payload lists; a file with more names the first ones and how many are left out. */
export const PAYLOAD_PROBLEMS_MAX = 500;

@Resolver()
export class ImportResolver {
  @Mutation(() => ImportRecordsPayload, {
    nullable: true,
    description:
      '批量导入户、人员或矛盾纠纷（CSV/NDJSON，按外部编号幂等，整文件要么全部写入要么不写） / Import a small file ' +
      'of households, persons or disputes: every row checked as its register mutation checks it, every bad ' +
      'row named by line and column, all or nothing; importing the same file again changes nothing',
  })
  async importRecords(
    @Arg('input', () => ImportRecordsInput) input: ImportRecordsInput,
    @Ctx() context: RequestContext,
  ): Promise<ImportRecordsPayload> {
    const outcome = await importRecords(context, {
      kind: input.kind,
      format: input.format,
      source: sourceOf(input.content),
      dryRun: input.dryRun,
    });
    const shown = outcome.problems.slice(0, PAYLOAD_PROBLEMS_MAX);
    const left = outcome.problems.length - shown.length;
    return Object.assign(new ImportRecordsPayload(), {
      created: outcome.created,
      updated: outcome.updated,
      unchanged: outcome.unchanged,
      dryRun: outcome.dryRun,
      userErrors: [
        ...shown.map(toGraphQL),
        ...(left > 0
          ? [
              toGraphQL(
                rowProblem(
                  null,
                  null,
                  `… and ${left} more problems: check the file with \`npm run import -- --dry-run\``,
                ),
              ),
            ]
          : []),
      ],
    });
  }
}

function toGraphQL(problem: RowProblem): ImportProblem {
  return Object.assign(new ImportProblem(), problem);
}
