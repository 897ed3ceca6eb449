// Loads reference data — departments, dispute routing, the indicator catalog — from the JSON files
// beside this module. Idempotent: run at every start. The files are the defaults an ADMIN starts from
// (README, "Administering the tree and reference data"): once the routing has been edited through the
// API the database holds it and the file is not read again; a catalog version in the file is added
// only when it is newer than every version published, and then becomes current. A published version
// is never changed. The running API reads all of it from the database on every request, so an edit
// made through any replica holds on every replica at its next request.
import type { DataSource, EntityManager } from 'typeorm';
import { catalogProblems } from '../domain/risk/catalog-rules';
import departments from './reference-data/departments.json';
import disputeRoutes from './reference-data/dispute-routes.json';
import indicatorCatalog from './reference-data/indicator-catalog.json';

export async function loadReferenceData(dataSource: DataSource): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await loadDepartments(manager);
    await loadDisputeRoutes(manager);
    await loadIndicatorCatalog(manager);
  });
}

async function loadDepartments(manager: EntityManager): Promise<void> {
  for (const department of departments) {
    await manager.query(
      `INSERT INTO departments (code, name_zh, name_en, responsibilities) VALUES ($1, $2, $3, $4)
       ON CONFLICT (code) DO UPDATE SET name_zh = $2, name_en = $3, responsibilities = $4`,
      [department.code, department.nameZh, department.nameEn, department.responsibilities],
    );
  }
}

/** The routing the file gives, as rows of dispute_routes: the default until an ADMIN edits it. */
export function defaultDisputeRoutes(): [kind: string, value: string, department: string][] {
  const rows: [string, string, string][] = [];
  for (const [category, codes] of Object.entries(disputeRoutes.byCategory)) {
    for (const code of codes) rows.push(['CATEGORY', category, code]);
  }
  for (const [source, codes] of Object.entries(disputeRoutes.bySource)) {
    for (const code of codes) rows.push(['SOURCE', source, code]);
  }
  for (const [venue, codes] of Object.entries(disputeRoutes.byVenue)) {
    for (const code of codes) rows.push(['VENUE', venue, code]);
  }
  return rows;
}

async function loadDisputeRoutes(manager: EntityManager): Promise<void> {
  // Serialised with the API's edits (dispute-routing.service.ts), which take the same lock.
  await manager.query(`LOCK TABLE dispute_route_changes IN SHARE ROW EXCLUSIVE MODE`);
  const edited: unknown[] = await manager.query(`SELECT 1 FROM dispute_route_changes LIMIT 1`);
  if (edited.length > 0) return;
  const rows = defaultDisputeRoutes();
  await manager.query(`DELETE FROM dispute_routes`);
  await manager.query(
    `INSERT INTO dispute_routes (match_kind, match_value, department_code)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
  );
}

async function loadIndicatorCatalog(manager: EntityManager): Promise<void> {
  const problems = catalogProblems(indicatorCatalog.indicators);
  if (problems.length > 0) {
    throw new Error(
      `reference-data/indicator-catalog.json: ${problems.map((problem) => problem.message).join('; ')}`,
    );
  }
  // Serialised with the API's publications (indicator-catalog.service.ts), which take the same lock.
  await manager.query(`LOCK TABLE indicator_catalog_versions IN SHARE ROW EXCLUSIVE MODE`);
  const [latest] = (await manager.query(
    `SELECT coalesce(max(version), 0) AS version FROM indicator_catalog_versions`,
  )) as { version: number }[];
  if ((latest?.version ?? 0) >= indicatorCatalog.version) return;
  await manager.query(`UPDATE indicator_catalog_versions SET current = false WHERE current`);
  await manager.query(`INSERT INTO indicator_catalog_versions (version, current) VALUES ($1, true)`, [
    indicatorCatalog.version,
  ]);
  for (const indicator of indicatorCatalog.indicators) {
    await manager.query(
      `INSERT INTO indicators (catalog_version, code, category, name_zh, name_en) VALUES ($1, $2, $3, $4, $5)`,
      [indicatorCatalog.version, indicator.code, indicator.category, indicator.nameZh, indicator.nameEn],
    );
  }
}
