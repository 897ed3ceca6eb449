// Loads reference data — departments, dispute routing, the indicator catalog — from the JSON files
// beside this module. Idempotent: run at every start. A published catalog version is never changed;
// a new version in the file is added and becomes current.
import type { DataSource, EntityManager } from 'typeorm';
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

async function loadDisputeRoutes(manager: EntityManager): Promise<void> {
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
  await manager.query(`DELETE FROM dispute_routes`);
  await manager.query(
    `INSERT INTO dispute_routes (match_kind, match_value, department_code)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
  );
}

async function loadIndicatorCatalog(manager: EntityManager): Promise<void> {
  const existing: unknown[] = await manager.query(
    `SELECT 1 FROM indicator_catalog_versions WHERE version = $1`,
    [indicatorCatalog.version],
  );
  if (existing.length > 0) return;
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
