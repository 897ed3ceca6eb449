// Organisation queries and the checks other areas need: is a grid real and within my scope?
import { Brackets, type EntityManager } from 'typeorm';
import type { RequestContext } from '../../request-scope';
import { problem } from '../../graphql/mutation';
import { gridInSubtree, subtreeNodesSql, subtreeParams, type SqlPredicate } from '../../permissions/scope';
import { isUuid } from '../../graphql/validation';
import { badUserInput, notFound } from '../../graphql/errors';
import { Department } from './department.entity';
import { Jurisdiction } from './jurisdiction.entity';
import { JurisdictionLevel } from './organisation.enums';

/**
 * Throws a userError on `field` unless `gridId` is a live GRID node inside the caller's subtree: a grid
 * retired by a reorganisation takes no new records (the database refuses them too).
 */
export async function requireGridInScope(
  tx: EntityManager,
  context: RequestContext,
  gridId: string,
  field: string,
): Promise<Jurisdiction> {
  const { path, descendants } = subtreeParams(context.user);
  const { entities, raw } = await tx
    .getRepository(Jurisdiction)
    .createQueryBuilder('j')
    .leftJoin('jurisdiction_reorganisations', 'retirement', 'retirement.retired_id = j.id')
    .leftJoin(Jurisdiction, 'successor', 'successor.id = retirement.successor_id')
    .addSelect('successor.name', 'successor_name')
    .where('j.id = :gridId', { gridId })
    .andWhere(`j.id IN (${subtreeNodesSql(':path', ':descendants')})`, { path, descendants })
    .getRawAndEntities<{ successor_name: string | null }>();
  const grid = entities[0];
  if (!grid)
    throw problem(field, {
      zh: '您的辖区内没有此编号的网格',
      en: 'No grid with this id within your jurisdiction',
    });
  if (grid.level !== JurisdictionLevel.GRID)
    throw problem(field, {
      zh: `${grid.name}是 ${grid.level}，不是网格`,
      en: `${grid.name} is a ${grid.level}, not a grid`,
    });
  const successor = raw[0]?.successor_name;
  if (successor) {
    throw problem(field, {
      zh: `${grid.name}已调整并入${successor}：请使用该网格`,
      en: `${grid.name} was reorganised into ${successor}: use that grid`,
    });
  }
  return grid;
}

/**
 * Jurisdiction nodes the caller may see: their subtree, and its ancestors so the tree reads whole. A
 * node retired by a reorganisation is left out: the tree as it stands.
 */
export async function listJurisdictions(context: RequestContext): Promise<Jurisdiction[]> {
  const { path, descendants } = subtreeParams(context.user);
  return context.dataSource
    .getRepository(Jurisdiction)
    .createQueryBuilder('j')
    .where(
      new Brackets((within) =>
        within
          .where(`j.id IN (${subtreeNodesSql(':path', ':descendants')})`, { path, descendants })
          .orWhere(`:path LIKE j.path || '.%'`, { path }),
      ),
    )
    .andWhere(`NOT EXISTS (SELECT 1 FROM jurisdiction_reorganisations r WHERE r.retired_id = j.id)`)
    .orderBy('j.path', 'ASC')
    .getMany();
}

export function listDepartments(context: RequestContext): Promise<Department[]> {
  return context.dataSource.getRepository(Department).find({ order: { code: 'ASC' } });
}

/** A list filter "in the subtree of this jurisdiction node", as a predicate on a grid column. */
export async function jurisdictionFilter(
  context: RequestContext,
  jurisdictionId: string,
  column: string,
): Promise<SqlPredicate & { path: string }> {
  if (!isUuid(jurisdictionId)) throw badUserInput('jurisdictionId is not an ID this API issued', 'filter');
  const node = await context.loaders.organisation.jurisdictionById.load(jurisdictionId);
  // As `jurisdictions` lists them: the caller's subtree and its ancestors. Any other node answers as
  // a random id would, so a filter cannot tell another street's grids from ids that do not exist.
  if (!node || !onCallersBranch(context.user.jurisdictionPath, node.path)) throw notFound('Jurisdiction');
  return { ...gridInSubtree(node.path, column), path: node.path };
}

/** Whether the node at `path` lies in the subtree of `own`, or is one of its ancestors. */
function onCallersBranch(own: string, path: string): boolean {
  return path === own || path.startsWith(`${own}.`) || own.startsWith(`${path}.`);
}
