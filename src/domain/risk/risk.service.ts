// The risk area: record assessments against the current indicator catalog and recompute the tier in
// the same transaction; read a person's assessments and the catalog.
import type { RequestContext } from '../../request-scope';
import { keysetPage, pageSize, type Connection } from '../../database/paging';
import { isUuid } from '../../graphql/validation';
import { badUserInput, notFound } from '../../graphql/errors';
import { createIdempotently, problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { Person } from '../people/person.entity';
import { requireVisiblePerson } from '../people/people.service';
import { openAutomaticReferrals } from '../referrals/referral.service';
import { Assessment, AssessmentIndicator } from './assessment.entity';
import { Indicator, IndicatorCatalogVersion } from './indicator.entity';
import type { RecordAssessmentInput } from './risk.inputs';
import { reviewByDate } from './rules';
import { recomputeTiers } from './tier.service';

export async function recordAssessment(
  context: RequestContext,
  input: RecordAssessmentInput,
): Promise<MutationResult<Assessment>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(tx, context, 'recordAssessment', input, async () => {
      const person = await requireVisiblePerson(tx, context, input.personId, 'input.personId');
      const catalog = await tx.getRepository(IndicatorCatalogVersion).findOneByOrFail({ current: true });
      const known = await tx.getRepository(Indicator).findBy({ catalogVersion: catalog.version });
      const byCode = new Map(known.map((indicator) => [indicator.code, indicator]));
      const unknown = input.indicators.findIndex((observed) => !byCode.has(observed.code));
      const unknownCode = input.indicators[unknown]?.code;
      if (unknownCode !== undefined) {
        // A code of an earlier version (removed since) is named as such; an old assessment keeps it.
        const [earlier] = (await tx.query(
          `SELECT max(catalog_version) AS version FROM indicators WHERE code = $1`,
          [unknownCode],
        )) as { version: number | null }[];
        throw problem(
          `input.indicators.${unknown}.code`,
          earlier?.version
            ? {
                zh: `${unknownCode} 不在新评估使用的指标目录 v${catalog.version} 中：最后见于 v${earlier.version}`,
                en: `${unknownCode} is not in indicator catalog v${catalog.version}, which new assessments use: it was last in v${earlier.version}`,
              }
            : {
                zh: `${unknownCode} 不在指标目录 v${catalog.version} 中（EVENT 类指标从不手工录入）`,
                en: `${unknownCode} is not in indicator catalog v${catalog.version} (EVENT is never entered by hand)`,
              },
        );
      }
      const seen = new Set<string>();
      input.indicators.forEach((observed, index) => {
        if (seen.has(observed.code))
          throw problem(`input.indicators.${index}.code`, {
            zh: `${observed.code} 重复列出`,
            en: `${observed.code} is listed twice`,
          });
        seen.add(observed.code);
      });
      const now = context.now();
      const inserted = await tx.getRepository(Assessment).insert({
        personId: person.id,
        assessorId: context.user.id,
        assessedAt: now,
        catalogVersion: catalog.version,
        tier: person.tier,
        reviewBy: null,
      });
      const assessmentId = (inserted.identifiers[0] as { id: string }).id;
      if (input.indicators.length > 0) {
        await tx.getRepository(AssessmentIndicator).insert(
          input.indicators.map((observed) => ({
            assessmentId,
            code: observed.code,
            category: byCode.get(observed.code)?.category,
            note: observed.note.trim(),
          })),
        );
      }
      await openAutomaticReferrals(
        tx,
        person.id,
        assessmentId,
        input.indicators.map((observed) => observed.code),
        context.user.id,
      );
      // A new assessment replaces any hand-set tier: the rule speaks again.
      await tx.query(
        `UPDATE tier_change_requests SET status = 'SUPERSEDED', version = version + 1
          WHERE person_id = $1 AND status = 'APPROVED'`,
        [person.id],
      );
      await recomputeTiers(tx, [person.id], now);
      const { tier } = await tx.getRepository(Person).findOneByOrFail({ id: person.id });
      await tx
        .getRepository(Assessment)
        .update({ id: assessmentId }, { tier, reviewBy: reviewByDate(tier, now) });
      return assessmentId;
    });
    const assessment = await tx.getRepository(Assessment).findOneByOrFail({ id });
    return {
      result: assessment,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'recordAssessment',
              recordType: 'Assessment',
              recordIds: [id, input.personId],
              fields: ['indicators'],
              detail: { tier: assessment.tier },
            },
          ],
    };
  });
}

export async function assessmentsOf(
  context: RequestContext,
  personId: string,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<Assessment>> {
  if (!isUuid(personId)) throw badUserInput(`${personId} is not an ID this API issued`, 'personId');
  const person = await context.loaders.people.person.load(personId);
  if (!person) throw notFound('Person');
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const query = context.dataSource
    .getRepository(Assessment)
    .createQueryBuilder('a')
    .where('a.person_id = :personId', { personId: person.id });
  return keysetPage(query, 'a', 'assessed_at', size, after, (assessment) => assessment.assessedAt);
}

export async function indicatorCatalog(
  context: RequestContext,
  version: number | null | undefined,
): Promise<IndicatorCatalogVersion> {
  const repository = context.dataSource.getRepository(IndicatorCatalogVersion);
  const catalog = version
    ? await repository.findOneBy({ version })
    : await repository.findOneBy({ current: true });
  if (!catalog) throw notFound('IndicatorCatalogVersion');
  catalog.indicators = await context.dataSource
    .getRepository(Indicator)
    .find({ where: { catalogVersion: catalog.version }, order: { category: 'ASC', code: 'ASC' } });
  return catalog;
}
