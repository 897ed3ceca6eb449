// Referrals to help and psychological files. Recording HOPELESSNESS in an assessment opens a
// PSYCHOLOGICAL_SUPPORT referral in the same transaction (SPEC §3 Assessment).
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../request-scope';
import { ErrorCode, notFound, staleVersion } from '../../graphql/errors';
import { createIdempotently, problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { personScope } from '../../permissions/scope';
import { Person } from '../people/person.entity';
import { requireVisiblePerson } from '../people/people.service';
import { Tier } from '../risk/risk.enums';
import { PsychologicalFile, Referral, ReferralKind, type ReferralStatus } from './referral.entity';
import type { CreateReferralInput, SavePsychologicalFileInput, UpdateReferralInput } from './referral.inputs';

/** Indicators that open a referral on their own, and which. */
export const AUTOMATIC_REFERRALS: Readonly<Record<string, ReferralKind>> = {
  HOPELESSNESS: ReferralKind.PSYCHOLOGICAL_SUPPORT,
};

export async function openAutomaticReferrals(
  tx: EntityManager,
  personId: string,
  assessmentId: string,
  indicatorCodes: readonly string[],
  actorId: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (const code of indicatorCodes) {
    const kind = AUTOMATIC_REFERRALS[code];
    if (!kind) continue;
    const inserted = await tx.getRepository(Referral).insert({
      personId,
      kind,
      reason: `评估记录 ${code}，自动转介 / opened automatically: ${code} was recorded`,
      sourceAssessmentId: assessmentId,
      createdById: actorId,
    });
    ids.push((inserted.identifiers[0] as { id: string }).id);
  }
  return ids;
}

export function createReferral(
  context: RequestContext,
  input: CreateReferralInput,
): Promise<MutationResult<Referral>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(tx, context, 'createReferral', input, async () => {
      const person = await requireVisiblePerson(tx, context, input.personId, 'input.personId');
      const inserted = await tx.getRepository(Referral).insert({
        personId: person.id,
        kind: input.kind,
        reason: input.reason.trim(),
        createdById: context.user.id,
      });
      return (inserted.identifiers[0] as { id: string }).id;
    });
    const referral = await tx.getRepository(Referral).findOneByOrFail({ id });
    return {
      result: referral,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'createReferral',
              recordType: 'Referral',
              recordIds: [id, referral.personId],
              fields: ['kind', 'reason'],
            },
          ],
    };
  });
}

export function updateReferral(
  context: RequestContext,
  input: UpdateReferralInput,
): Promise<MutationResult<Referral>> {
  return runMutation(context, input, async (tx) => {
    // Through the person's row scope: a referral of a person out of scope is not found, like a made-up id.
    const scope = personScope(context.user, 'p', context.now());
    const current = await tx
      .getRepository(Referral)
      .createQueryBuilder('r')
      .innerJoin(Person, 'p', 'p.id = r.person_id')
      .where('r.id = :id', { id: input.id })
      .andWhere(scope.sql, scope.params)
      .getOne();
    if (!current) throw notFound('Referral');
    const result = await tx
      .getRepository(Referral)
      .createQueryBuilder()
      .update()
      .set({
        status: input.status as ReferralStatus,
        outcome: input.outcome.trim(),
        version: () => 'version + 1',
      })
      .where('id = :id AND version = :version', { id: input.id, version: input.expectedVersion })
      .execute();
    if (result.affected === 0) {
      // Read again: a change committed since the first read is the version to reload.
      const { version } = await tx.getRepository(Referral).findOneByOrFail({ id: input.id });
      throw staleVersion({ zh: '转介', en: 'referral' }, version, input.expectedVersion);
    }
    return {
      result: await tx.getRepository(Referral).findOneByOrFail({ id: input.id }),
      audit: [
        {
          action: 'MUTATION',
          operation: 'updateReferral',
          recordType: 'Referral',
          recordIds: [input.id],
          fields: ['status', 'outcome'],
        },
      ],
    };
  });
}

export function savePsychologicalFile(
  context: RequestContext,
  input: SavePsychologicalFileInput,
): Promise<MutationResult<PsychologicalFile>> {
  return runMutation(context, input, async (tx) => {
    const person = await requireVisiblePerson(tx, context, input.personId, 'input.personId');
    if (person.tier !== Tier.ORANGE && person.tier !== Tier.RED) {
      throw problem(
        'input.personId',
        {
          zh: `心理档案只为 ORANGE 和 RED 人员建立；此人为 ${person.tier}`,
          en: `Psychological files are kept for ORANGE and RED persons; this person is ${person.tier}`,
        },
        ErrorCode.NOT_ALLOWED,
      );
    }
    const existing = await tx.getRepository(PsychologicalFile).findOneBy({ personId: person.id });
    if (existing) {
      if (existing.version !== input.expectedVersion) {
        throw staleVersion({ zh: '心理档案', en: 'file' }, existing.version, input.expectedVersion);
      }
      await tx
        .getRepository(PsychologicalFile)
        .createQueryBuilder()
        .update()
        .set({
          interventionPlan: input.interventionPlan.trim(),
          notes: input.notes.trim(),
          updatedById: context.user.id,
          updatedAt: context.now(),
          version: () => 'version + 1',
        })
        .where('id = :id', { id: existing.id })
        .execute();
    } else {
      await tx.getRepository(PsychologicalFile).insert({
        personId: person.id,
        interventionPlan: input.interventionPlan.trim(),
        notes: input.notes.trim(),
        updatedById: context.user.id,
        updatedAt: context.now(),
      });
    }
    const file = await tx.getRepository(PsychologicalFile).findOneByOrFail({ personId: person.id });
    return {
      result: file,
      audit: [
        {
          action: 'MUTATION',
          operation: 'savePsychologicalFile',
          recordType: 'PsychologicalFile',
          recordIds: [file.id, person.id],
          fields: ['interventionPlan', 'notes'],
        },
      ],
    };
  });
}
