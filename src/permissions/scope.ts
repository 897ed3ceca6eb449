// Row scope, as SQL predicates for query builders (SPEC §4): a user sees records in the subtree of
// their jurisdiction node and — outside the coordinating departments — only the persons and disputes
// their department handles, as policy.ts's rowAccess says. Every query that returns people,
// disputes or their children applies these, so lists, counts and cursors never reveal other rows.
import type { Identity } from '../auth/identity';
import { principalOf } from '../auth/identity';
import { needsAssessmentAccess, rowAccess } from './policy';

export interface SqlPredicate {
  sql: string;
  params: Record<string, unknown>;
}

/** LIKE pattern matching the paths of a node's descendants (wildcards in the path escaped). */
export function descendantsPattern(path: string): string {
  return `${path.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`;
}

/** Parameters for `subtreeNodesSql`: the node's own path and a LIKE pattern for its descendants. */
export function subtreeParams(identity: Identity): { path: string; descendants: string } {
  return { path: identity.jurisdictionPath, descendants: descendantsPattern(identity.jurisdictionPath) };
}

/** SQL selecting the ids of the jurisdiction nodes in a subtree, given two placeholders. */
export function subtreeNodesSql(pathPlaceholder: string, descendantsPlaceholder: string): string {
  return `SELECT sj.id FROM jurisdictions sj WHERE sj.path = ${pathPlaceholder} OR sj.path LIKE ${descendantsPlaceholder}`;
}

/** Predicate that a grid column lies in the identity's jurisdiction subtree. */
export function gridInScope(identity: Identity, column: string): SqlPredicate {
  const { path, descendants } = subtreeParams(identity);
  return {
    sql: `${column} IN (${subtreeNodesSql(':scopePath', ':scopeDescendants')})`,
    params: { scopePath: path, scopeDescendants: descendants },
  };
}

/**
 * Predicate that a grid column lies in the subtree of the node at `path` (a user-chosen filter).
 * Written as `= ANY(ARRAY(…))`: PostgreSQL reads the subtree's node ids once and walks the (grid, …)
 * indexes with them, where `IN (…)` let it walk every tiered person of the city and hash them against
 * the subtree. Row scope keeps `IN (…)`: it also guards lookups by id, where the array form made the
 * planner walk a grid index instead of the primary key. See docs/performance.md#subtree-filters.
 */
export function gridInSubtree(path: string, column: string): SqlPredicate {
  return {
    sql: `${column} = ANY(ARRAY(${subtreeNodesSql(':filterPath', ':filterDescendants')}))`,
    params: { filterPath: path, filterDescendants: descendantsPattern(path) },
  };
}

function and(...all: SqlPredicate[]): SqlPredicate {
  const predicates = all.filter((predicate) => predicate !== ALL);
  if (predicates.length === 0) return ALL;
  return {
    sql: predicates.map((p) => `(${p.sql})`).join(' AND '),
    params: Object.assign({}, ...predicates.map((p) => p.params)),
  };
}

const NOTHING: SqlPredicate = { sql: 'FALSE', params: {} };

/** A named part of a row scope: explain.ts evaluates each one to say which brought a record in. */
export interface ScopeClause {
  name: string;
  predicate: SqlPredicate;
}

function or(clauses: ScopeClause[]): SqlPredicate {
  if (clauses.length === 0) return NOTHING;
  if (clauses.some((clause) => clause.predicate === ALL)) return ALL;
  return {
    sql: clauses.map((clause) => `(${clause.predicate.sql})`).join(' OR '),
    params: Object.assign({}, ...clauses.map((clause) => clause.predicate.params)),
  };
}

/**
 * What brings a dispute of the subtree into the identity's scope, any one clause (`alias` is the
 * disputes alias); none: no dispute. The department-handled kinds of policy.ts's rowAccess.
 */
export function disputeKindClauses(identity: Identity, alias: string): ScopeClause[] {
  const access = rowAccess(principalOf(identity));
  if (access.everything) return [{ name: 'every dispute of the subtree', predicate: ALL }];
  if (!access.routedDisputes) return [];
  const department = { scopeDepartment: identity.departmentCode };
  return [
    {
      name: 'routed to the department by category, source or venue',
      predicate: {
        sql: `EXISTS (SELECT 1 FROM dispute_routes r WHERE r.department_code = :scopeDepartment
                   AND ((r.match_kind = 'CATEGORY' AND r.match_value = ${alias}.category)
                     OR (r.match_kind = 'SOURCE' AND r.match_value = ${alias}.source)
                     OR (r.match_kind = 'VENUE' AND r.match_value = ${alias}.venue)))`,
        params: department,
      },
    },
    {
      name: 'assigned to the department',
      predicate: {
        sql: `EXISTS (SELECT 1 FROM assignments sa WHERE sa.dispute_id = ${alias}.id AND sa.active
                   AND sa.responsible_department_code = :scopeDepartment)`,
        params: department,
      },
    },
    {
      name: `in a status the department handles (${access.disputeStatuses.join(', ') || 'none'})`,
      predicate: {
        sql: `${alias}.status = ANY(:scopeDisputeStatuses)`,
        params: { scopeDisputeStatuses: access.disputeStatuses },
      },
    },
  ];
}

/** Disputes of department-handled kinds, ignoring jurisdiction (`alias` is the disputes alias). */
function handledDisputes(identity: Identity, alias: string): SqlPredicate | null {
  const clauses = disputeKindClauses(identity, alias);
  return clauses.length === 0 ? null : or(clauses);
}

/** The disputes the identity may see; `alias` is the disputes alias in the query. */
export function disputeScope(identity: Identity, alias: string): SqlPredicate {
  const handled = handledDisputes(identity, alias);
  if (!handled) return NOTHING;
  return and(gridInScope(identity, `${alias}.grid_id`), handled);
}

/** Whether the node at `path` is the identity's own node or lies below it. */
function withinOwnSubtree(identity: Identity, path: string): boolean {
  return path === identity.jurisdictionPath || path.startsWith(`${identity.jurisdictionPath}.`);
}

const ALL: SqlPredicate = { sql: 'TRUE', params: {} };

/**
 * The persons the identity may see; `alias` is the persons alias, `today` the request's date.
 * `within`: the path of a node the query is already limited to by `gridInSubtree` (a jurisdiction
 * filter). When that node is the identity's own or below it, the filter implies the subtree condition,
 * which is then left out: PostgreSQL plans and runs the persons page faster with one subtree condition
 * than with both (docs/performance.md#subtree-filters). Every other condition of the scope stays.
 */
export function personScope(identity: Identity, alias: string, today: Date, within?: string): SqlPredicate {
  const subtree =
    within !== undefined && withinOwnSubtree(identity, within)
      ? ALL
      : gridInScope(identity, `${alias}.grid_id`);
  const own = and(subtree, or(personKindClauses(identity, alias, today)));
  const breakGlass = breakGlassClause(identity, alias);
  if (!breakGlass) return own;
  return or([{ name: 'the department’s own scope', predicate: own }, breakGlass]);
}

/**
 * The persons a break-glass grant in force opens to the identity, whatever its jurisdiction and
 * department (`alias` is the persons alias); null without one, so the scope of everyone else is the
 * SQL it always was. The grants are the identity's, read with it for each operation and each
 * subscription event at the request's clock (identity-store.ts), so a grant ends for every path at
 * once when it expires. It opens the person's row only: every field keeps its policy row.
 */
export function breakGlassClause(identity: Identity, alias: string): ScopeClause | null {
  const persons = [...new Set((identity.breakGlass ?? []).map((pass) => pass.personId))];
  if (persons.length === 0) return null;
  return {
    name: 'opened by a break-glass grant in force',
    predicate: {
      sql: `${alias}.id = ANY(:scopeBreakGlassPersons::uuid[])`,
      params: { scopeBreakGlassPersons: persons },
    },
  };
}

/**
 * What brings a person of the subtree into the identity's scope, any one clause (`alias` is the
 * persons alias, `today` the request's date); none: no person. policy.ts's rowAccess, in SQL.
 */
export function personKindClauses(identity: Identity, alias: string, today: Date): ScopeClause[] {
  const access = rowAccess(principalOf(identity));
  if (access.everything) return [{ name: 'every person of the subtree', predicate: ALL }];
  if (access.onlyUnderAge !== null) {
    const cutoff = new Date(today);
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - access.onlyUnderAge);
    return [
      {
        name: `persons under ${access.onlyUnderAge}`,
        predicate: {
          sql: `${alias}.birth_date > :scopeBirthCutoff`,
          params: { scopeBirthCutoff: cutoff.toISOString().slice(0, 10) },
        },
      },
    ];
  }
  const handled = handledDisputes(identity, 'sd');
  if (!handled) return [];
  return [
    {
      name: 'holds a special status the department owns',
      predicate: {
        sql: `${alias}.special_statuses && :scopeStatuses::text[]`,
        params: { scopeStatuses: access.specialStatuses },
      },
    },
    {
      name: `at a tier the department follows (${access.tiers.join(', ') || 'none'})`,
      predicate: { sql: `${alias}.tier = ANY(:scopeTiers)`, params: { scopeTiers: access.tiers } },
    },
    {
      name: 'assigned to the department',
      predicate: {
        sql: `EXISTS (SELECT 1 FROM assignments spa WHERE spa.person_id = ${alias}.id AND spa.active
                     AND spa.responsible_department_code = :scopeDepartment)`,
        params: { scopeDepartment: identity.departmentCode },
      },
    },
    {
      name: 'party to a dispute the department handles',
      predicate: {
        sql: `EXISTS (SELECT 1 FROM dispute_parties sdp JOIN disputes sd ON sd.id = sdp.dispute_id
                     WHERE sdp.person_id = ${alias}.id AND (${handled.sql}))`,
        params: handled.params,
      },
    },
  ];
}

/**
 * Which persons of the needs-(re)assessment list the identity sees (SPEC §3): in its own grid, for the
 * grid team; holding the statuses it owns, for a status's department. Nothing for anyone else.
 */
export function needsAssessmentScope(identity: Identity, alias: string): SqlPredicate {
  const access = needsAssessmentAccess(principalOf(identity));
  const parts: string[] = [];
  if (access.ownGrid) parts.push(`(${alias}.grid_id = :assessingGrid AND ${alias}.special_statuses <> '{}')`);
  if (access.statuses.length > 0) parts.push(`${alias}.special_statuses && :assessingStatuses::text[]`);
  if (parts.length === 0) return NOTHING;
  return {
    sql: parts.join(' OR '),
    params: { assessingGrid: identity.jurisdictionId, assessingStatuses: access.statuses },
  };
}
