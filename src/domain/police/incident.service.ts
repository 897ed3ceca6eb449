// Extreme-violence incidents: POLICE record one in a grid of their jurisdiction, linked to persons and
// disputes they can see (anything else answers as a random id would: NOT_FOUND, nothing revealed).
import { ArrayMaxSize, IsEnum, IsInt, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../request-scope';
import { ErrorCode, UserError } from '../../graphql/errors';
import { createIdempotently, problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { IdempotencyKey, UUID_MESSAGE } from '../../graphql/validation';
import { gridInScope } from '../../permissions/scope';
import { requireVisibleDispute } from '../disputes/dispute.service';
import { Jurisdiction } from '../organisation/jurisdiction.entity';
import { requireVisiblePerson } from '../people/people.service';
import { Incident, IncidentKind } from './incident.entity';

@InputType({ description: '录入民转刑极端暴力案件 / Record an extreme-violence incident' })
export class RecordIncidentInput {
  @Field(() => ID, { description: '网格 / Grid where it happened' })
  @IsUUID('all', { message: `gridId ${UUID_MESSAGE}` })
  gridId: string;

  @Field(() => Date, { description: '发生时间 / When it happened' })
  occurredAt: Date;

  @Field({ description: '地点 / Place' })
  @Matches(/\S/, { message: 'place must not be empty' })
  @MaxLength(200)
  place: string;

  @Field(() => IncidentKind)
  @IsEnum(IncidentKind)
  kind: IncidentKind;

  @Field(() => Int, { description: '死亡人数 / Deaths' })
  @IsInt()
  @Min(0)
  deaths: number;

  @Field(() => Int, { description: '受伤人数 / Injured' })
  @IsInt()
  @Min(0)
  injuries: number;

  @Field({ description: '案情摘要 / Summary' })
  @Matches(/\S/, { message: 'summary must not be empty' })
  @MaxLength(2000)
  summary: string;

  @Field(() => [ID], { defaultValue: [], description: '关联人员 / Persons involved' })
  @IsUUID('all', { each: true, message: `personIds ${UUID_MESSAGE}` })
  @ArrayMaxSize(50)
  personIds: string[];

  @Field(() => [ID], { defaultValue: [], description: '关联纠纷 / Disputes it grew out of' })
  @IsUUID('all', { each: true, message: `disputeIds ${UUID_MESSAGE}` })
  @ArrayMaxSize(50)
  disputeIds: string[];

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@ObjectType()
export class IncidentPayload {
  @Field(() => Incident, { nullable: true })
  incident: Incident | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

/** The incident with its links, read inside `tx`. */
export async function loadIncident(tx: EntityManager, id: string): Promise<Incident | null> {
  const incident = await tx.getRepository(Incident).findOneBy({ id });
  if (!incident) return null;
  const persons: { person_id: string }[] = await tx.query(
    `SELECT person_id FROM incident_persons WHERE incident_id = $1 ORDER BY person_id`,
    [id],
  );
  const disputes: { dispute_id: string }[] = await tx.query(
    `SELECT dispute_id FROM incident_disputes WHERE incident_id = $1 ORDER BY dispute_id`,
    [id],
  );
  incident.personIds = persons.map((row) => row.person_id);
  incident.disputeIds = disputes.map((row) => row.dispute_id);
  return incident;
}

/** The incident, when it happened in the caller's jurisdiction subtree; null otherwise. */
export async function findIncidentInScope(
  tx: EntityManager,
  context: RequestContext,
  id: string,
): Promise<Incident | null> {
  const scope = gridInScope(context.user, 'i.grid_id');
  const found = await tx
    .getRepository(Incident)
    .createQueryBuilder('i')
    .where('i.id = :id', { id })
    .andWhere(scope.sql, scope.params)
    .getOne();
  return found ? loadIncident(tx, found.id) : null;
}

export function recordIncident(
  context: RequestContext,
  input: RecordIncidentInput,
): Promise<MutationResult<Incident>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(tx, context, 'recordIncident', input, async () => {
      const scope = gridInScope(context.user, 'j.id');
      const grid = await tx
        .getRepository(Jurisdiction)
        .createQueryBuilder('j')
        .where('j.id = :gridId', { gridId: input.gridId })
        .andWhere(`j.level = 'GRID'`)
        .andWhere(scope.sql, scope.params)
        .getOne();
      if (!grid)
        throw problem(
          'input.gridId',
          { zh: '您的辖区内没有此编号的网格', en: 'No grid with this id within your jurisdiction' },
          ErrorCode.NOT_FOUND,
        );
      const personIds = [...new Set(input.personIds)];
      const disputeIds = [...new Set(input.disputeIds)];
      for (const personId of personIds) {
        await requireVisiblePerson(tx, context, personId, 'input.personIds').catch(() => {
          throw problem(
            'input.personIds',
            { zh: '您的范围内没有此编号的人员', en: 'No person with this id within your scope' },
            ErrorCode.NOT_FOUND,
          );
        });
      }
      for (const disputeId of disputeIds) {
        await requireVisibleDispute(tx, context, disputeId, 'input.disputeIds').catch(() => {
          throw problem(
            'input.disputeIds',
            { zh: '您的范围内没有此编号的纠纷', en: 'No dispute with this id within your scope' },
            ErrorCode.NOT_FOUND,
          );
        });
      }
      const inserted = await tx.getRepository(Incident).insert({
        gridId: input.gridId,
        occurredAt: input.occurredAt,
        place: input.place.trim(),
        kind: input.kind,
        deaths: input.deaths,
        injuries: input.injuries,
        summary: input.summary.trim(),
        recordedById: context.user.id,
      });
      const incidentId = (inserted.identifiers[0] as { id: string }).id;
      if (personIds.length > 0)
        await tx.query(
          `INSERT INTO incident_persons (incident_id, person_id) SELECT $1, unnest($2::uuid[])`,
          [incidentId, personIds],
        );
      if (disputeIds.length > 0)
        await tx.query(
          `INSERT INTO incident_disputes (incident_id, dispute_id) SELECT $1, unnest($2::uuid[])`,
          [incidentId, disputeIds],
        );
      return incidentId;
    });
    const incident = (await loadIncident(tx, id)) as Incident;
    return {
      result: incident,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'recordIncident',
              recordType: 'Incident',
              recordIds: [id, ...incident.personIds, ...incident.disputeIds],
              fields: [
                'gridId',
                'occurredAt',
                'place',
                'kind',
                'deaths',
                'injuries',
                'summary',
                'personIds',
                'disputeIds',
              ],
            },
          ],
    };
  });
}
