// Administering the jurisdiction tree (ADMIN, issue 20): adding villages and grids, and reorganising
// grids — a grid moved to another village, or merged into another grid. The tree stays append-only
// (every process keeps the nodes it has read, organisation.loaders.ts): a move adds a new node under
// the new village; then every record of the old grid moves to the new one, in one transaction, and
// the old grid is retired (jurisdiction_reorganisations), taking no new records from then on. See
// migration ReferenceDataAdministration for the database's side of it.
import type { EntityManager } from 'typeorm';
import type { AuditRecord } from '../../audit/audit-log';
import { principalOf } from '../../auth/identity';
import { ErrorCode } from '../../graphql/errors';
import { createIdempotently, problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { rowAccess } from '../../permissions/policy';
import { subtreeParams } from '../../permissions/scope';
import type { RequestContext } from '../../request-scope';
import { Jurisdiction } from './jurisdiction.entity';
import {
  MovedRecordCount,
  Reorganisation,
  type AddJurisdictionInput,
  type ReorganiseMergeGridsInput,
  type ReorganiseMoveGridInput,
} from './organisation.inputs';
import { AddedJurisdictionLevel, JurisdictionLevel, ReorganisationKind } from './organisation.enums';
import { localCodeOf, parentLevelOf, shownCount } from './rules';

/**
 * Every column that places a record in the tree, and so moves with a reorganisation. `personal`: a
 * record of people or cases, whose count an ADMIN sees only as the small-cell rule allows. A test
 * (test/administration/jurisdictions-reorganise.test.ts) checks this against the database's foreign
 * keys to jurisdictions, so a table added later cannot be left behind in a retired grid.
 */
export const MOVED_RECORDS: readonly {
  recordType: string;
  table: string;
  column: string;
  personal: boolean;
}[] = [
  { recordType: 'Person', table: 'persons', column: 'grid_id', personal: true },
  { recordType: 'Household', table: 'households', column: 'grid_id', personal: true },
  { recordType: 'Dispute', table: 'disputes', column: 'grid_id', personal: true },
  { recordType: 'Alert', table: 'alerts', column: 'grid_id', personal: true },
  { recordType: 'InjuryReport', table: 'injury_reports', column: 'grid_id', personal: true },
  { recordType: 'HazardBusiness', table: 'hazard_businesses', column: 'grid_id', personal: true },
  { recordType: 'Incident', table: 'incidents', column: 'grid_id', personal: true },
  {
    recordType: 'PoliceMonthlyCounts',
    table: 'police_monthly_counts',
    column: 'jurisdiction_id',
    personal: true,
  },
  // Accounts are the ADMIN's own business: a grid's workers follow their grid.
  { recordType: 'User', table: 'users', column: 'jurisdiction_id', personal: false },
];

const ADDED_LEVELS: Readonly<Record<AddedJurisdictionLevel, JurisdictionLevel>> = {
  [AddedJurisdictionLevel.VILLAGE]: JurisdictionLevel.VILLAGE,
  [AddedJurisdictionLevel.GRID]: JurisdictionLevel.GRID,
};

/** Advisory-lock class of a node being reorganised; the triggers of the migration take it shared. */
const NODE_LOCK = 1765800;

interface NodeRow {
  id: string;
  code: string;
  name: string;
  level: JurisdictionLevel;
  parentId: string | null;
  path: string;
  retired: boolean;
}

function asJurisdiction(row: NodeRow): Jurisdiction {
  const { retired: _retired, ...node } = row;
  return Object.assign(new Jurisdiction(), node);
}

/** The node `id` if it lies in the caller's subtree (else a userError that says no more than for a random id). */
async function nodeInScope(
  tx: EntityManager,
  context: RequestContext,
  id: string,
  field: string,
): Promise<NodeRow> {
  const { path, descendants } = subtreeParams(context.user);
  const [row] = (await tx.query(
    `SELECT j.id, j.code, j.name, j.level, j.parent_id AS "parentId", j.path,
            EXISTS (SELECT 1 FROM jurisdiction_reorganisations r WHERE r.retired_id = j.id) AS retired
       FROM jurisdictions j
      WHERE j.id = $1 AND (j.path = $2 OR j.path LIKE $3)`,
    [id, path, descendants],
  )) as NodeRow[];
  if (!row) {
    throw problem(field, {
      zh: '您的辖区内没有此编号的辖区',
      en: 'No jurisdiction with this id within your jurisdiction',
    });
  }
  if (row.retired) {
    throw problem(field, {
      zh: `${row.name}已在先前的调整中撤销`,
      en: `${row.name} was retired by an earlier reorganisation`,
    });
  }
  return row;
}

/** A live node of `level` in the caller's subtree. */
async function nodeOfLevel(
  tx: EntityManager,
  context: RequestContext,
  id: string,
  level: JurisdictionLevel,
  field: string,
): Promise<NodeRow> {
  const node = await nodeInScope(tx, context, id, field);
  if (node.level !== level) {
    throw problem(field, {
      zh: `${node.name}是 ${node.level}，不是 ${level}`,
      en: `${node.name} is a ${node.level}, not a ${level}`,
    });
  }
  return node;
}

/** A full code and path under `parent` that no node — live or retired — has, and a name no live sibling has. */
async function requireFreePlace(
  tx: EntityManager,
  parent: NodeRow,
  localCode: string,
  name: string,
  fields: { code: string; name: string },
): Promise<{ code: string; path: string }> {
  const code = `${parent.code}.${localCode}`;
  const path = `${parent.path}.${localCode}`;
  const taken: unknown[] = await tx.query(`SELECT 1 FROM jurisdictions WHERE code = $1 OR path = $2`, [
    code,
    path,
  ]);
  if (taken.length > 0) {
    throw problem(
      fields.code,
      {
        zh: `代码 ${code} 已被占用（已撤销节点的代码仍保留）：请另选代码`,
        en: `${code} is taken (the codes of retired nodes stay taken): choose another code`,
      },
      ErrorCode.CONFLICT,
    );
  }
  const namesake: unknown[] = await tx.query(
    `SELECT 1 FROM jurisdictions j WHERE j.parent_id = $1 AND j.name = $2
        AND NOT EXISTS (SELECT 1 FROM jurisdiction_reorganisations r WHERE r.retired_id = j.id)`,
    [parent.id, name],
  );
  if (namesake.length > 0) {
    throw problem(
      fields.name,
      {
        zh: `${parent.name}下已有${name}：请另选名称`,
        en: `${parent.name} already has a ${name}: choose another name`,
      },
      ErrorCode.CONFLICT,
    );
  }
  return { code, path };
}

async function insertNode(
  tx: EntityManager,
  node: { code: string; path: string; name: string; level: JurisdictionLevel; parentId: string },
  codeField: string,
): Promise<string> {
  try {
    const [row] = (await tx.query(
      `INSERT INTO jurisdictions (code, name, level, parent_id, path) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [node.code, node.name, node.level, node.parentId, node.path],
    )) as { id: string }[];
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    return row.id;
  } catch (error) {
    // Another request took the code between the check and the insert.
    if ((error as { code?: string }).code === '23505')
      throw problem(
        codeField,
        { zh: `代码 ${node.code} 已被占用：请另选代码`, en: `${node.code} is taken: choose another code` },
        ErrorCode.CONFLICT,
      );
    throw error;
  }
}

export function addJurisdiction(
  context: RequestContext,
  input: AddJurisdictionInput,
): Promise<MutationResult<Jurisdiction>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(tx, context, 'addJurisdiction', input, async () => {
      const parent = await nodeInScope(tx, context, input.parentId, 'input.parentId');
      const level = ADDED_LEVELS[input.level];
      const expected = parentLevelOf(level);
      if (parent.level !== expected) {
        throw problem('input.parentId', {
          zh: `${level} 须位于 ${expected ?? '无'} 之下（CITY > STREET > VILLAGE > GRID）：${parent.name}是 ${parent.level}`,
          en: `A ${level} goes under a ${expected ?? 'nothing'} (CITY > STREET > VILLAGE > GRID): ${parent.name} is a ${parent.level}`,
        });
      }
      const place = await requireFreePlace(tx, parent, input.localCode, input.name, {
        code: 'input.localCode',
        name: 'input.name',
      });
      return insertNode(tx, { ...place, name: input.name, level, parentId: parent.id }, 'input.localCode');
    });
    const node = await tx.getRepository(Jurisdiction).findOneByOrFail({ id });
    const audit: AuditRecord[] = replayed
      ? []
      : [
          {
            action: 'MUTATION',
            operation: 'addJurisdiction',
            recordType: 'Jurisdiction',
            recordIds: [id, node.parentId ?? ''],
            fields: ['code', 'name', 'level', 'parentId'],
            detail: { code: node.code, name: node.name, level: node.level },
          },
        ];
    return { result: node, audit };
  });
}

/** The plan of a reorganisation, checked: what retires, where its records go. */
interface Plan {
  kind: ReorganisationKind;
  operation: 'reorganiseMoveGrid' | 'reorganiseMergeGrids';
  retired: NodeRow;
  /** The live grid the records go to; for a move, made by `createSuccessor`. */
  successor: NodeRow | null;
  successorCode: string;
  successorName: string;
  createSuccessor: (() => Promise<string>) | null;
  reason: string;
  dryRun: boolean;
}

/**
 * Locks the nodes a reorganisation touches, in id order so two reorganisations never wait on each
 * other in a circle: the retired grid exclusively (every write that places a record on it waits, see
 * the migration's triggers), the other node shared (it must stay live).
 */
async function lockNodes(tx: EntityManager, retiredId: string, otherId: string): Promise<void> {
  const locks = [
    { id: retiredId.toLowerCase(), mode: 'pg_advisory_xact_lock' },
    { id: otherId.toLowerCase(), mode: 'pg_advisory_xact_lock_shared' },
  ].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const lock of locks) {
    // The text of a uuid as PostgreSQL writes it (lower case), as the triggers hash it.
    await tx.query(`SELECT ${lock.mode}($1, hashtext($2::uuid::text))`, [NODE_LOCK, lock.id]);
  }
}

async function countRecords(tx: EntityManager, nodeId: string): Promise<Map<string, number>> {
  const rows = (await tx.query(
    MOVED_RECORDS.map(
      (kind, index) =>
        `SELECT ${index} AS kind, count(*)::int AS count FROM ${kind.table} WHERE ${kind.column} = $1`,
    ).join(' UNION ALL '),
    [nodeId],
  )) as { kind: number; count: number }[];
  return new Map(rows.map((row) => [MOVED_RECORDS[row.kind]?.recordType ?? '', row.count]));
}

/**
 * Moves every record of node `from` to node `to`; returns how many moved, by record type. A record
 * with a `version` gets a new one (an edit made against the old grid is then a CONFLICT, not a lost
 * update), one with `updated_at` is marked changed (the change feed sees it). Police monthly counts of
 * the same month add up.
 */
async function moveRecords(tx: EntityManager, from: string, to: string): Promise<Map<string, number>> {
  const bookkeeping = (await tx.query(
    `SELECT table_name AS "table", array_agg(column_name::text) AS columns FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ANY($1) AND column_name IN ('version', 'updated_at')
      GROUP BY table_name`,
    [MOVED_RECORDS.map((kind) => kind.table)],
  )) as { table: string; columns: string[] }[];
  const moved = new Map<string, number>();
  for (const kind of MOVED_RECORDS) {
    let sql: string;
    if (kind.table === 'police_monthly_counts') {
      sql = `WITH gone AS (DELETE FROM police_monthly_counts WHERE jurisdiction_id = $1 RETURNING *),
                  merged AS (
                    INSERT INTO police_monthly_counts (jurisdiction_id, month, extreme_violence_incidents,
                                                       resulting_homicides, dispute_police_calls, entered_by_id, entered_at)
                    SELECT $2, month, extreme_violence_incidents, resulting_homicides, dispute_police_calls,
                           entered_by_id, entered_at FROM gone
                    ON CONFLICT (jurisdiction_id, month) DO UPDATE SET
                      extreme_violence_incidents = police_monthly_counts.extreme_violence_incidents + EXCLUDED.extreme_violence_incidents,
                      resulting_homicides = police_monthly_counts.resulting_homicides + EXCLUDED.resulting_homicides,
                      dispute_police_calls = police_monthly_counts.dispute_police_calls + EXCLUDED.dispute_police_calls
                    RETURNING 1)
             SELECT count(*)::int AS count FROM merged`;
    } else {
      const columns = bookkeeping.find((row) => row.table === kind.table)?.columns ?? [];
      const sets = [`${kind.column} = $2`];
      if (columns.includes('version')) sets.push('version = version + 1');
      if (columns.includes('updated_at')) sets.push(`updated_at = date_trunc('milliseconds', now())`);
      sql = `WITH moved AS (UPDATE ${kind.table} SET ${sets.join(', ')} WHERE ${kind.column} = $1 RETURNING 1)
             SELECT count(*)::int AS count FROM moved`;
    }
    const [row] = (await tx.query(sql, [from, to])) as { count: number }[];
    moved.set(kind.recordType, row?.count ?? 0);
  }
  return moved;
}

async function reorganise(
  context: RequestContext,
  input: { gridId: string; dryRun: boolean },
  lockWith: string,
  plan: (tx: EntityManager) => Promise<Plan>,
): Promise<MutationResult<Reorganisation>> {
  return runMutation(context, input, async (tx) => {
    // Locked before anything is read, so what the checks read still holds when the records move.
    if (!input.dryRun) await lockNodes(tx, input.gridId, lockWith);
    const checked = await plan(tx);
    const exact = rowAccess(principalOf(context.user)).everything;
    let counts: Map<string, number>;
    let id: string | null = null;
    let successor = checked.successor;
    if (checked.dryRun) {
      counts = await countRecords(tx, checked.retired.id);
    } else {
      const successorId = checked.createSuccessor ? await checked.createSuccessor() : (successor?.id ?? '');
      counts = await moveRecords(tx, checked.retired.id, successorId);
      const [row] = (await tx.query(
        `INSERT INTO jurisdiction_reorganisations (kind, retired_id, successor_id, reason, moved, performed_by_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          checked.kind,
          checked.retired.id,
          successorId,
          checked.reason,
          JSON.stringify(Object.fromEntries(counts)),
          context.user.id,
        ],
      )) as { id: string }[];
      id = row?.id ?? null;
      successor = await nodeInScope(tx, context, successorId, 'input');
    }
    const result = Object.assign(new Reorganisation(), {
      id,
      kind: checked.kind,
      dryRun: checked.dryRun,
      retiredGrid: asJurisdiction(checked.retired),
      successorGrid: successor ? asJurisdiction(successor) : null,
      successorCode: checked.successorCode,
      successorName: checked.successorName,
      moved: MOVED_RECORDS.map((kind) =>
        Object.assign(new MovedRecordCount(), {
          recordType: kind.recordType,
          ...shownCount(counts.get(kind.recordType) ?? 0, exact || !kind.personal),
        }),
      ),
    });
    const audit: AuditRecord = {
      action: checked.dryRun ? 'READ' : 'MUTATION',
      operation: checked.operation,
      recordType: 'Jurisdiction',
      recordIds: [checked.retired.id, ...(successor ? [successor.id] : []), ...(id ? [id] : [])],
      fields: checked.dryRun ? ['moved'] : ['retired', 'successor', 'moved'],
      detail: {
        kind: checked.kind,
        dryRun: checked.dryRun,
        reason: checked.reason,
        successorCode: checked.successorCode,
        moved: Object.fromEntries(counts),
      },
    };
    return { result, audit: [audit] };
  });
}

export function reorganiseMoveGrid(
  context: RequestContext,
  input: ReorganiseMoveGridInput,
): Promise<MutationResult<Reorganisation>> {
  return reorganise(context, input, input.villageId, async (tx) => {
    const grid = await nodeOfLevel(tx, context, input.gridId, JurisdictionLevel.GRID, 'input.gridId');
    const village = await nodeOfLevel(
      tx,
      context,
      input.villageId,
      JurisdictionLevel.VILLAGE,
      'input.villageId',
    );
    if (grid.parentId === village.id)
      throw problem('input.villageId', {
        zh: `${grid.name}已在${village.name}`,
        en: `${grid.name} is in ${village.name} already`,
      });
    const name = input.name ?? grid.name;
    const place = await requireFreePlace(tx, village, input.localCode ?? localCodeOf(grid.code), name, {
      code: 'input.localCode',
      name: 'input.name',
    });
    return {
      kind: ReorganisationKind.MOVE_GRID,
      operation: 'reorganiseMoveGrid',
      retired: grid,
      successor: null,
      successorCode: place.code,
      successorName: name,
      createSuccessor: () =>
        insertNode(
          tx,
          { ...place, name, level: JurisdictionLevel.GRID, parentId: village.id },
          'input.localCode',
        ),
      reason: input.reason.trim(),
      dryRun: input.dryRun,
    };
  });
}

export function reorganiseMergeGrids(
  context: RequestContext,
  input: ReorganiseMergeGridsInput,
): Promise<MutationResult<Reorganisation>> {
  return reorganise(context, input, input.intoGridId, async (tx) => {
    if (input.gridId === input.intoGridId)
      throw problem('input.intoGridId', {
        zh: '网格不能并入自身',
        en: 'A grid cannot be merged into itself',
      });
    const grid = await nodeOfLevel(tx, context, input.gridId, JurisdictionLevel.GRID, 'input.gridId');
    const into = await nodeOfLevel(tx, context, input.intoGridId, JurisdictionLevel.GRID, 'input.intoGridId');
    return {
      kind: ReorganisationKind.MERGE_GRIDS,
      operation: 'reorganiseMergeGrids',
      retired: grid,
      successor: into,
      successorCode: into.code,
      successorName: into.name,
      createSuccessor: null,
      reason: input.reason.trim(),
      dryRun: input.dryRun,
    };
  });
}
