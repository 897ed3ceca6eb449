// Publishing a version of the indicator catalog (识别要素目录, SPEC §3; ADMIN, issue 20). A published
// version is never changed (the database refuses it): an assessment names its version, so an older
// assessment explains itself with the indicators of its own version for as long as it is kept. The new
// version becomes current in the same transaction; recordAssessment reads the current version from
// the database on every call, so every replica uses it from its next request, and a code the new
// version no longer has is refused for new assessments.
import { staleVersion, userError, UserInputProblem } from '../../graphql/errors';
import { problem, runMutation, type MutationResult } from '../../graphql/mutation';
import type { RequestContext } from '../../request-scope';
import { catalogDifference, catalogProblems, type CatalogEntry } from './catalog-rules';
import { Indicator, IndicatorCatalogVersion } from './indicator.entity';
import type { PublishIndicatorCatalogInput } from './indicator-catalog.inputs';

export function publishIndicatorCatalog(
  context: RequestContext,
  input: PublishIndicatorCatalogInput,
): Promise<MutationResult<IndicatorCatalogVersion>> {
  return runMutation(context, input, async (tx) => {
    // One publication at a time (and not while a replica starts and loads the file's catalog).
    await tx.query(`LOCK TABLE indicator_catalog_versions IN SHARE ROW EXCLUSIVE MODE`);
    const [current] = (await tx.query(`SELECT version FROM indicator_catalog_versions WHERE current`)) as {
      version: number;
    }[];
    const currentVersion = current?.version ?? 0;
    if (input.expectedCurrentVersion !== currentVersion) {
      throw staleVersion(
        { zh: '风险指标目录', en: 'current catalog' },
        currentVersion,
        input.expectedCurrentVersion,
        'input.expectedCurrentVersion',
      );
    }
    const entries: CatalogEntry[] = input.indicators.map((indicator) => ({
      code: indicator.code,
      category: indicator.category,
      nameZh: indicator.nameZh.trim(),
      nameEn: indicator.nameEn.trim(),
    }));
    const earlier = (await tx.query(
      `SELECT DISTINCT ON (code) code, category FROM indicators ORDER BY code, catalog_version DESC`,
    )) as { code: string; category: string }[];
    const problems = catalogProblems(entries, new Map(earlier.map((row) => [row.code, row.category])));
    if (problems.length > 0) {
      throw new UserInputProblem(
        problems.map((found) =>
          userError(
            found.index === null
              ? 'input.indicators'
              : `input.indicators.${found.index}.${found.field ?? 'code'}`,
            { zh: '指标目录有误', en: found.message },
          ),
        ),
      );
    }
    const previous = (await tx.query(
      `SELECT code, category, name_zh AS "nameZh", name_en AS "nameEn" FROM indicators WHERE catalog_version = $1`,
      [currentVersion],
    )) as CatalogEntry[];
    const difference = catalogDifference(previous, entries);
    if (difference.added.length + difference.removed.length + difference.renamed.length === 0) {
      throw problem('input.indicators', {
        zh: `与现行目录 v${currentVersion} 相同：没有可发布的变更`,
        en: `This is catalog v${currentVersion} as it stands: nothing to publish`,
      });
    }
    const [next] = (await tx.query(
      `SELECT coalesce(max(version), 0) + 1 AS version FROM indicator_catalog_versions`,
    )) as { version: number }[];
    const version = next?.version ?? 1;
    await tx.query(`UPDATE indicator_catalog_versions SET current = false WHERE current`);
    await tx.query(
      `INSERT INTO indicator_catalog_versions (version, published_at, current, published_by_id, notes)
       VALUES ($1, $2, true, $3, $4)`,
      [version, context.now(), context.user.id, input.notes.trim()],
    );
    await tx.query(
      `INSERT INTO indicators (catalog_version, code, category, name_zh, name_en)
       SELECT $1::int, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])`,
      [
        version,
        entries.map((entry) => entry.code),
        entries.map((entry) => entry.category),
        entries.map((entry) => entry.nameZh),
        entries.map((entry) => entry.nameEn),
      ],
    );
    const catalog = await tx.getRepository(IndicatorCatalogVersion).findOneByOrFail({ version });
    catalog.indicators = await tx
      .getRepository(Indicator)
      .find({ where: { catalogVersion: version }, order: { category: 'ASC', code: 'ASC' } });
    return {
      result: catalog,
      audit: [
        {
          action: 'MUTATION',
          operation: 'publishIndicatorCatalog',
          recordType: 'IndicatorCatalogVersion',
          recordIds: [String(version)],
          fields: ['indicators'],
          detail: { version, previousVersion: currentVersion, ...difference, notes: input.notes.trim() },
        },
      ],
    };
  });
}
