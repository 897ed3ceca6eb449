// The dispute routing (纠纷分流, SPEC §2, §3): which departments each dispute category, source and
// street-level venue routes a dispute to. It is reference data in the table dispute_routes, and row
// scope reads that table inside every query that lists, counts or finds disputes and their parties
// (permissions/scope.ts), so an edit holds on every replica from its next request: no process keeps
// a copy. Each edit names the routing version it was made against (a stale one is a CONFLICT) and is
// kept in dispute_route_changes, which also tells the start-up loader that the file is no longer the
// routing (src/database/reference-data.ts).
import type { EntityManager } from 'typeorm';
import { staleVersion } from '../../graphql/errors';
import { problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { DEPARTMENTS, rowAccess } from '../../permissions/policy';
import type { RequestContext } from '../../request-scope';
import { DisputeCategory, DisputeSource, StreetVenue } from '../disputes/disputes.enums';
import { DisputeRouteEntry, DisputeRouting, type SetDisputeRouteInput } from './organisation.inputs';
import { DisputeRouteMatch } from './organisation.enums';

/** The values each kind of route matches, in the order the routing lists them. */
const MATCH_VALUES: Readonly<Record<DisputeRouteMatch, readonly string[]>> = {
  [DisputeRouteMatch.CATEGORY]: Object.values(DisputeCategory),
  [DisputeRouteMatch.SOURCE]: Object.values(DisputeSource),
  [DisputeRouteMatch.VENUE]: Object.values(StreetVenue),
};

/**
 * Whether routing a dispute to `department` changes what it sees: only for departments whose row
 * scope is the disputes routed to them (policy.ts). The coordinators see every dispute already;
 * YOUTH_LEAGUE sees none.
 */
function takesRoutedDisputes(department: string): boolean {
  return rowAccess({ department, position: 'WORKER', capability: null }).routedDisputes;
}

async function readRouting(manager: EntityManager): Promise<DisputeRouting> {
  const routes = (await manager.query(
    `SELECT match_kind, match_value, array_agg(department_code ORDER BY department_code) AS departments
       FROM dispute_routes GROUP BY match_kind, match_value`,
  )) as { match_kind: DisputeRouteMatch; match_value: string; departments: string[] }[];
  const [head] = (await manager.query(
    `SELECT coalesce(max(version), 0) AS version FROM dispute_route_changes`,
  )) as { version: number }[];
  const departmentsOf = new Map(
    routes.map((route) => [`${route.match_kind}:${route.match_value}`, route.departments]),
  );
  const entries = (Object.keys(MATCH_VALUES) as DisputeRouteMatch[]).flatMap((kind) =>
    MATCH_VALUES[kind].map((value) =>
      Object.assign(new DisputeRouteEntry(), {
        matchKind: kind,
        matchValue: value,
        departmentCodes: departmentsOf.get(`${kind}:${value}`) ?? [],
      }),
    ),
  );
  return Object.assign(new DisputeRouting(), { version: head?.version ?? 0, routes: entries });
}

export function disputeRouting(context: RequestContext): Promise<DisputeRouting> {
  return readRouting(context.dataSource.manager);
}

export function setDisputeRoute(
  context: RequestContext,
  input: SetDisputeRouteInput,
): Promise<MutationResult<DisputeRouting>> {
  return runMutation(context, input, async (tx) => {
    if (!MATCH_VALUES[input.matchKind].includes(input.matchValue)) {
      throw problem('input.matchValue', {
        zh: `${input.matchValue} 不是可选的 ${input.matchKind}：可选 ${MATCH_VALUES[input.matchKind].join('、')}`,
        en: `${input.matchValue} is not a ${input.matchKind.toLowerCase()}: one of ${MATCH_VALUES[input.matchKind].join(', ')}`,
      });
    }
    const wanted = [...new Set(input.departmentCodes)].sort();
    if (wanted.length !== input.departmentCodes.length)
      throw problem('input.departmentCodes', { zh: '部门重复列出', en: 'A department is listed twice' });
    const known = new Set<string>(DEPARTMENTS);
    input.departmentCodes.forEach((code, index) => {
      if (!known.has(code)) {
        throw problem(`input.departmentCodes.${index}`, {
          zh: `${code} 不是部门`,
          en: `${code} is not a department`,
        });
      }
      if (!takesRoutedDisputes(code)) {
        throw problem(`input.departmentCodes.${index}`, {
          zh: `${code} 不接收分流的纠纷：其数据范围与分流无关`,
          en: `${code} is not routed disputes: its row scope does not depend on the routing (permissions/policy.ts)`,
        });
      }
    });
    // One edit at a time (and not while a replica starts and loads the file's routing).
    await tx.query(`LOCK TABLE dispute_route_changes IN SHARE ROW EXCLUSIVE MODE`);
    const before = await readRouting(tx);
    if (input.expectedVersion !== before.version) {
      throw staleVersion({ zh: '纠纷分流表', en: 'routing' }, before.version, input.expectedVersion);
    }
    const previous =
      before.routes.find(
        (route) => route.matchKind === input.matchKind && route.matchValue === input.matchValue,
      )?.departmentCodes ?? [];
    if (previous.join(',') === wanted.join(',')) {
      throw problem('input.departmentCodes', {
        zh: `${input.matchValue} 已分流至 ${previous.join('、') || '无部门'}`,
        en: `${input.matchValue} is routed to ${previous.join(', ') || 'no department'} already`,
      });
    }
    await tx.query(`DELETE FROM dispute_routes WHERE match_kind = $1 AND match_value = $2`, [
      input.matchKind,
      input.matchValue,
    ]);
    if (wanted.length > 0) {
      await tx.query(
        `INSERT INTO dispute_routes (match_kind, match_value, department_code)
         SELECT $1, $2, unnest($3::text[])`,
        [input.matchKind, input.matchValue, wanted],
      );
    }
    const version = before.version + 1;
    const reason = input.reason.trim();
    await tx.query(
      `INSERT INTO dispute_route_changes (version, match_kind, match_value, department_codes,
                                          previous_department_codes, reason, changed_by_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [version, input.matchKind, input.matchValue, wanted, previous, reason, context.user.id],
    );
    return {
      result: await readRouting(tx),
      audit: [
        {
          action: 'MUTATION',
          operation: 'setDisputeRoute',
          recordType: 'DisputeRouting',
          recordIds: [String(version)],
          fields: ['departmentCodes'],
          detail: {
            matchKind: input.matchKind,
            matchValue: input.matchValue,
            departmentCodes: wanted,
            previousDepartmentCodes: previous,
            reason,
          },
        },
      ],
    };
  });
}
