// The staff directory (issue 22 item 6). Scope: the active staff accounts whose jurisdiction node is on
// the caller's branch of the tree — the caller's subtree (the people they coordinate) and its ancestors
// (the village, street and city staff above them, who lead and join teams) — as `jurisdictions` lists
// the nodes. Staff of sibling branches, service accounts, ADMIN and AUDITOR accounts and disabled
// accounts are not listed, and the total counts only what is listed.
import type { RequestContext } from '../../request-scope';
import { keysetPage, pageSize, type Connection } from '../../database/paging';
import { subtreeParams } from '../../permissions/scope';
import { User } from './user.entity';
import { jurisdictionFilter } from './organisation.service';
import { STAFF_MEMBER_COLUMNS, type StaffFilter, type StaffMember } from './staff.types';

/** The ids of the jurisdiction nodes on the caller's branch: subtree and ancestors. */
const BRANCH_NODES_SQL = `SELECT bj.id FROM jurisdictions bj
  WHERE bj.path = :branchPath OR bj.path LIKE :branchDescendants OR :branchPath LIKE bj.path || '.%'`;

export async function listStaff(
  context: RequestContext,
  filter: StaffFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<StaffMember>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const { path, descendants } = subtreeParams(context.user);
  const query = context.dataSource
    .getRepository(User)
    .createQueryBuilder('u')
    .where(`u.kind = 'USER'`)
    .andWhere('u.active')
    .andWhere(`u.capabilities = '{}'`)
    .andWhere(`u.jurisdiction_id IN (${BRANCH_NODES_SQL})`, {
      branchPath: path,
      branchDescendants: descendants,
    });
  if (filter?.jurisdictionId) {
    const within = await jurisdictionFilter(context, filter.jurisdictionId, 'u.jurisdiction_id');
    query.andWhere(within.sql, within.params);
  }
  if (filter?.departmentCode) {
    query.andWhere('u.department_code = :department', { department: filter.departmentCode });
  }
  if (filter?.position) query.andWhere('u.position = :position', { position: filter.position });
  if (filter?.nameContains) {
    query.andWhere(`strpos(lower(u.display_name), lower(:name)) > 0`, { name: filter.nameContains });
  }
  return keysetPage(query, 'u', 'created_at', size, after, (row) => row.createdAt, STAFF_MEMBER_COLUMNS);
}
