// DataLoaders for the organisation area: jurisdiction nodes by id (reference data, not scoped), and
// staff members by id as the directory shows them (named by the records that reach them).
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../request-scope';
import { readEntities } from '../../database/entity-rows';
import { Jurisdiction } from './jurisdiction.entity';
import { STAFF_MEMBER_COLUMNS, type StaffMember } from './staff.types';
import { User } from './user.entity';

/**
 * The jurisdiction nodes this process has read, per database, kept for its life. The tree is
 * append-only (migration JurisdictionsAppendOnly refuses UPDATE, DELETE and TRUNCATE), so a node once
 * read cannot change underneath; a node added since is not here and is read like any other. Ids that
 * name no node are never remembered, so a made-up id is NOT_FOUND every time and cannot grow this
 * beyond the tree's size. Nodes are frozen: every request shares them.
 */
const nodesRead = new WeakMap<DataSource, Map<string, Jurisdiction>>();

function nodesOf(dataSource: DataSource): Map<string, Jurisdiction> {
  let nodes = nodesRead.get(dataSource);
  if (!nodes) {
    nodes = new Map();
    nodesRead.set(dataSource, nodes);
  }
  return nodes;
}

export function createOrganisationLoaders(context: RequestContext) {
  const nodes = nodesOf(context.dataSource);
  return {
    jurisdictionById: new DataLoader<string, Jurisdiction | null>(async (ids) => {
      const missing = ids.filter((id) => !nodes.has(id));
      if (missing.length > 0) {
        const rows = await readEntities(
          context.dataSource
            .getRepository(Jurisdiction)
            .createQueryBuilder('j')
            .where('j.id = ANY(:ids)', { ids: missing }),
        );
        for (const row of rows) nodes.set(row.id, Object.freeze(row));
      }
      return ids.map((id) => nodes.get(id) ?? null);
    }),
    /**
     * Staff members by id, with the directory's columns only: the people an assignment names (its
     * responsible person, lead leader, team). The record that names them is in the reader's scope.
     */
    staffMemberById: new DataLoader<string, StaffMember | null>(async (ids) => {
      const rows = await readEntities(
        context.dataSource
          .getRepository(User)
          .createQueryBuilder('u')
          .select(STAFF_MEMBER_COLUMNS.map((column) => `u.${column}`))
          .where('u.id = ANY(:ids)', { ids }),
      );
      const byId = new Map<string, StaffMember>(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

// This area's group in `context.loaders` (see LoaderRegistry); src/loaders.ts builds it per request.
declare module '../../request-scope' {
  interface LoaderRegistry {
    organisation: ReturnType<typeof createOrganisationLoaders>;
  }
}
