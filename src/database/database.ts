// Opens the database the configuration names — an external server (DATABASE_URL) or the embedded
// PostgreSQL under .data/ — then runs migrations and loads reference data. Two roles (SPEC §4,
// "Tamper evidence"): an owner that owns the tables and runs the migrations, and the runtime role the
// API connects as — no superuser, owns nothing, may only INSERT and SELECT audit entries — so the API
// cannot switch off the audit table's triggers or rewrite it, whatever a request makes it do.
import { createHmac, randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import type { Config } from '../config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded';
import { loadReferenceData } from './reference-data';

export interface OpenDatabase {
  /** The API's connections, as the runtime role (embedded: concord_api; else DATABASE_URL's role). */
  dataSource: DataSource;
  /** The read replica's connections (DATABASE_READ_URL), as the same runtime role; null without one. */
  readDataSource: DataSource | null;
  /** URL of `dataSource`'s role: for the API's other connections (LISTEN). */
  runtimeUrl: string;
  /**
   * URL with the most rights this process holds on the database, for maintenance tools (the benchmark
   * copies the database with it): embedded, the superuser's; else DATABASE_OWNER_URL or DATABASE_URL.
   */
  url: string;
  embedded: EmbeddedDatabase | null;
  /** Why the runtime role could defeat the audit log's protections; empty when it cannot. */
  tamperEvidenceWeakened: string[];
  /**
   * Runs `work` connected as the owner, for setup the runtime role may not do (loading the demo city
   * locks the jurisdictions table against a second loader); `dataSource` itself when one role does both.
   */
  asOwner<T>(work: (owner: DataSource) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const EMBEDDED_DATABASE_NAME = 'concord';

/** Creates `name` on the server of `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      const templateClause = template ? ` TEMPLATE ${quoteIdentifier(template)}` : '';
      await client.query(`CREATE DATABASE ${quoteIdentifier(name)}${templateClause}`);
    }
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const quoteIdentifier = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** The role that owns the tables and runs the migrations (embedded mode and the tests). */
export const OWNER_ROLE = 'concord_owner';
/** The role the API connects as (embedded mode and the tests). */
export const RUNTIME_ROLE = 'concord_api';

export interface RoleLogin {
  name: string;
  password: string;
}

export interface DatabaseRoles {
  owner: RoleLogin;
  runtime: RoleLogin;
}

/**
 * The two roles of a cluster this process administers (embedded, or the tests' server), with
 * passwords derived from its superuser's: whoever may read that password is the superuser already,
 * and every process that finds the cluster derives the same ones. Without a superuser password
 * (trust or peer authentication) they are random, and ensureRoles sets them again.
 */
export function clusterRoles(adminUrl: string): DatabaseRoles {
  const secret = decodeURIComponent(new URL(adminUrl).password) || randomBytes(32).toString('hex');
  const password = (role: string) =>
    createHmac('sha256', secret).update(`concord database role ${role}`).digest('base64url');
  return {
    owner: { name: OWNER_ROLE, password: password(OWNER_ROLE) },
    runtime: { name: RUNTIME_ROLE, password: password(RUNTIME_ROLE) },
  };
}

/** `databaseUrl` signed in as `role`. */
export function roleUrl(databaseUrl: string, role: RoleLogin): string {
  const url = new URL(databaseUrl);
  url.username = encodeURIComponent(role.name);
  url.password = encodeURIComponent(role.password);
  return url.toString();
}

/**
 * As a superuser: creates the owner and runtime roles unless they exist (roles belong to the whole
 * cluster), and sets their password and attributes every time, so neither is or becomes a superuser
 * or may create databases, roles or replication connections.
 */
export async function ensureRoles(adminUrl: string, roles: DatabaseRoles): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const role of [roles.owner, roles.runtime]) {
      const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.name]);
      if (found.rowCount === 0) {
        try {
          await client.query(`CREATE ROLE ${quoteIdentifier(role.name)}`);
        } catch (error) {
          // Another process created it meanwhile.
          if ((error as { code?: string }).code !== '42710') throw error;
        }
      }
      await client.query(
        `ALTER ROLE ${quoteIdentifier(role.name)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE ` +
          `NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(role.password)}`,
      );
    }
    // The runtime role must not act as the owner through membership.
    await client.query(
      `DO $$ BEGIN
         IF pg_has_role(${client.escapeLiteral(roles.runtime.name)}, ${client.escapeLiteral(roles.owner.name)}, 'MEMBER') THEN
           EXECUTE format('REVOKE %I FROM %I', ${client.escapeLiteral(roles.owner.name)}, ${client.escapeLiteral(roles.runtime.name)});
         END IF;
       END $$`,
    );
  } finally {
    await client.end();
  }
}

/**
 * As a superuser, connected to the database itself: makes `owner` the owner of the database and of
 * every table, view, sequence, function and type of its public schema (extensions' members aside).
 * A database migrated before the roles existed belonged to the superuser; so does anything a tool
 * migrated as the superuser since (a CLI on the running instance).
 */
export async function handDatabaseToOwner(databaseUrl: string, owner: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
    await client.query(`ALTER DATABASE ${quoteIdentifier(name)} OWNER TO ${quoteIdentifier(owner)}`);
    const role = client.escapeLiteral(owner);
    await client.query(`
      DO $$
      DECLARE
        object record;
        owner_oid oid := ${role}::regrole;
      BEGIN
        -- Sequences that belong to a column (serial, identity) follow their table.
        FOR object IN
          SELECT o.oid::regclass AS name, o.relkind FROM pg_class o
           WHERE o.relnamespace = 'public'::regnamespace AND o.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
             AND o.relowner <> owner_oid
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = o.oid
                                AND d.deptype IN ('a', 'i', 'e'))
        LOOP
          EXECUTE format('ALTER %s %s OWNER TO %I',
            CASE object.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
            object.name, ${role});
        END LOOP;
        FOR object IN
          SELECT o.oid::regprocedure AS name FROM pg_proc o
           WHERE o.pronamespace = 'public'::regnamespace AND o.proowner <> owner_oid
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = o.oid AND d.deptype = 'e')
        LOOP
          EXECUTE format('ALTER ROUTINE %s OWNER TO %I', object.name, ${role});
        END LOOP;
        FOR object IN
          SELECT o.oid::regtype AS name FROM pg_type o
           WHERE o.typnamespace = 'public'::regnamespace AND o.typowner <> owner_oid AND o.typtype IN ('e', 'd', 'r')
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = o.oid AND d.deptype = 'e')
        LOOP
          EXECUTE format('ALTER TYPE %s OWNER TO %I', object.name, ${role});
        END LOOP;
      END $$`);
  } finally {
    await client.end();
  }
}

/**
 * What the runtime role may do on a table, where it is less than SELECT, INSERT, UPDATE and DELETE
 * (every other table of the schema, including those later migrations add). The audit log is
 * append-only and its head moves only through the chain trigger; jurisdictions are append-only too
 * (migration JurisdictionsAppendOnly), and so are the histories of reorganisations, dispute routes and
 * indicators: their triggers refuse a change, and the grant offers none (UPDATE on the routes only
 * for the LOCK TABLE that serialises their versions; the trigger still refuses an update). The API
 * never deletes a person merge (a later merge re-points it), a catalog version, or a note of the
 * change feed (merged within its transaction by an upsert), and the feed's head only moves.
 * Migrations are the owner's.
 */
const RUNTIME_TABLE_PRIVILEGES: Record<string, string> = {
  audit_entries: 'SELECT, INSERT',
  audit_chain_head: 'SELECT',
  jurisdictions: 'SELECT, INSERT',
  jurisdiction_reorganisations: 'SELECT, INSERT',
  dispute_route_changes: 'SELECT, INSERT, UPDATE',
  indicators: 'SELECT, INSERT',
  indicator_catalog_versions: 'SELECT, INSERT, UPDATE',
  person_merges: 'SELECT, INSERT, UPDATE',
  record_changes: 'SELECT, INSERT, UPDATE',
  record_change_commits: 'SELECT, INSERT',
  record_change_head: 'SELECT, UPDATE',
  schema_migrations: '',
  // A break-glass grant stays as evidence for its review and the auditor: never deleted.
  break_glass_grants: 'SELECT, INSERT, UPDATE',
  // A status change's note is history: retention blanks it, nothing deletes it (its trigger refuses).
  dispute_status_changes: 'SELECT, INSERT, UPDATE',
};
const RUNTIME_DEFAULT_PRIVILEGES = 'SELECT, INSERT, UPDATE, DELETE';

/**
 * Grants `runtimeRole` what the API needs on every table of the schema and nothing more (never
 * TRUNCATE, REFERENCES or TRIGGER), in one transaction. Run by the owner after every migrate, so a
 * table a later migration adds is covered and a grant changed by hand is put back.
 */
export async function grantRuntimeAccess(dataSource: DataSource, runtimeRole: string): Promise<void> {
  const role = quoteIdentifier(runtimeRole);
  await dataSource.transaction(async (manager) => {
    const relations: { name: string; kind: string; table: string | null; partition: boolean }[] =
      await manager.query(`
      SELECT o.relname AS name, o.relkind AS kind, owning.relname AS "table", o.relispartition AS partition
        FROM pg_class o
        LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = o.oid AND d.deptype IN ('a', 'i')
                             AND d.refclassid = 'pg_class'::regclass
        LEFT JOIN pg_class owning ON owning.oid = d.refobjid
       WHERE o.relnamespace = 'public'::regnamespace AND o.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
         AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = o.oid AND e.deptype = 'e')
       ORDER BY o.relname`);
    await manager.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await manager.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
    await manager.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${role}`);
    const tables = new Map<string, string[]>();
    const sequences: string[] = [];
    const privilegesOf = (table: string) => RUNTIME_TABLE_PRIVILEGES[table] ?? RUNTIME_DEFAULT_PRIVILEGES;
    for (const relation of relations) {
      if (relation.kind === 'S') {
        // A sequence serves inserts into its table (serial, identity), or anyone when it has none.
        if (!relation.table || privilegesOf(relation.table).includes('INSERT')) sequences.push(relation.name);
        continue;
      }
      // A partition (the audit log's months) is reached through its parent only: no grants of its own.
      const privileges = relation.partition ? '' : privilegesOf(relation.name);
      if (privileges) tables.set(privileges, [...(tables.get(privileges) ?? []), relation.name]);
    }
    for (const [privileges, names] of tables)
      await manager.query(`GRANT ${privileges} ON ${names.map(quoteIdentifier).join(', ')} TO ${role}`);
    if (sequences.length > 0)
      await manager.query(
        `GRANT USAGE, SELECT ON SEQUENCE ${sequences.map(quoteIdentifier).join(', ')} TO ${role}`,
      );
  });
}

/**
 * Why the role `dataSource` connects as could defeat the audit log's protections (a superuser sets
 * `session_replication_role` and skips its triggers; an owner alters or drops them); empty when it
 * cannot.
 */
export async function tamperEvidenceWeaknesses(dataSource: DataSource): Promise<string[]> {
  const [role] = (await dataSource.query(`
    SELECT current_user AS name, r.rolsuper AS superuser, r.rolbypassrls AS bypass_rls,
           EXISTS (SELECT 1 FROM pg_class o WHERE o.relowner = r.oid AND o.relnamespace = 'public'::regnamespace) AS owns_tables,
           pg_has_role(r.oid, audit.relowner, 'USAGE') AS acts_as_audit_owner,
           has_table_privilege('audit_entries', 'UPDATE') OR has_table_privilege('audit_entries', 'DELETE')
             OR has_table_privilege('audit_entries', 'TRUNCATE') OR has_table_privilege('audit_entries', 'TRIGGER')
             AS may_change_entries,
           has_table_privilege('audit_chain_head', 'UPDATE') OR has_table_privilege('audit_chain_head', 'DELETE')
             AS may_move_head
      FROM pg_roles r, pg_class audit
     WHERE r.rolname = current_user AND audit.oid = 'audit_entries'::regclass`)) as {
    name: string;
    superuser: boolean;
    bypass_rls: boolean;
    owns_tables: boolean;
    acts_as_audit_owner: boolean;
    may_change_entries: boolean;
    may_move_head: boolean;
  }[];
  if (!role) return ['the runtime role could not be inspected'];
  const reasons: string[] = [];
  if (role.superuser) reasons.push(`${role.name} is a superuser`);
  if (role.owns_tables) reasons.push(`${role.name} owns tables`);
  if (role.acts_as_audit_owner && !role.superuser)
    reasons.push(`${role.name} acts as the audit table's owner (it is, or is a member of, that role)`);
  if (role.may_change_entries) reasons.push(`${role.name} may UPDATE, DELETE or TRUNCATE audit entries`);
  if (role.may_move_head) reasons.push(`${role.name} may change the audit chain's head`);
  if (!role.superuser) {
    // PostgreSQL 15+ can grant one role the right to set a superuser setting.
    const [setting] = (await dataSource
      .query(`SELECT has_parameter_privilege('session_replication_role', 'SET') AS may_set`)
      .catch(() => [{ may_set: false }])) as { may_set: boolean }[];
    if (setting?.may_set) reasons.push(`${role.name} may set session_replication_role`);
  }
  return reasons;
}

/** Advisory-lock key that lets one process at a time migrate a database and load its reference data. */
const MIGRATION_LOCK = 7_365_001;

export interface MigrateOptions {
  /** The API's runtime role, granted what it needs once the migrations ran (grantRuntimeAccess). */
  runtimeRole?: string;
}

/**
 * Runs the migrations and loads the reference data, as the owner. Replicas that start together
 * (SPEC §6) take turns under a PostgreSQL advisory lock: the first migrates, the others find nothing
 * left to do. The lock is held by a transaction left open meanwhile, not by the session: behind
 * PgBouncer in transaction mode a session lock would stay on whichever server connection took it and
 * its unlock could reach another one, so the next start would wait for ever.
 */
export async function migrate(dataSource: DataSource, options: MigrateOptions = {}): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    try {
      await runner.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await dataSource.runMigrations({ transaction: 'each' });
      await loadReferenceData(dataSource);
      if (options.runtimeRole) await grantRuntimeAccess(dataSource, options.runtimeRole);
    } finally {
      await runner.commitTransaction();
    }
  } finally {
    await runner.release();
  }
}

interface Connections {
  /** The most rights this process holds (OpenDatabase.url). */
  url: string;
  ownerUrl: string;
  runtimeUrl: string;
}

/**
 * Opens the database: embedded, starts PostgreSQL, creates both roles and hands the database to the
 * owner; migrates as the owner; connects the API as the runtime role. `warn` hears that tamper
 * evidence is weaker (one role for both, or a runtime role with too many rights).
 */
export async function openDatabase(
  config: Config,
  log: (message: string) => void,
  warn: (message: string) => void = log,
): Promise<OpenDatabase> {
  let embedded: EmbeddedDatabase | null = null;
  let connections: Connections;
  if (!config.databaseUrl) {
    log(`starting embedded PostgreSQL with data in ${path.join(config.dataDir, 'pg')}`);
    embedded = await startEmbeddedPostgres({ directory: config.dataDir, persistent: true });
    try {
      const roles = clusterRoles(embedded.adminUrl);
      await ensureRoles(embedded.adminUrl, roles);
      const url = await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE_NAME);
      await handDatabaseToOwner(url, roles.owner.name);
      connections = { url, ownerUrl: roleUrl(url, roles.owner), runtimeUrl: roleUrl(url, roles.runtime) };
    } catch (error) {
      await embedded.stop();
      throw error;
    }
  } else {
    const ownerUrl = config.databaseOwnerUrl ?? config.databaseUrl;
    connections = { url: ownerUrl, ownerUrl, runtimeUrl: config.databaseUrl };
  }
  const dataSource = new DataSource(dataSourceOptions(connections.runtimeUrl));
  let tamperEvidenceWeakened: string[];
  try {
    await dataSource.initialize();
    if (connections.ownerUrl === connections.runtimeUrl) {
      await migrate(dataSource);
    } else {
      const [runtime] = (await dataSource.query(`SELECT current_user AS name`)) as { name: string }[];
      const owner = new DataSource(dataSourceOptions(connections.ownerUrl));
      await owner.initialize();
      try {
        const [migrator] = (await owner.query(`SELECT current_user AS name`)) as { name: string }[];
        const separate = runtime && migrator && runtime.name !== migrator.name;
        await migrate(owner, separate ? { runtimeRole: runtime.name } : {});
      } finally {
        await owner.destroy();
      }
    }
    tamperEvidenceWeakened = await tamperEvidenceWeaknesses(dataSource);
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  // After the migrations: the replica replays them; it never runs them.
  const readDataSource = config.databaseReadUrl
    ? new DataSource(dataSourceOptions(config.databaseReadUrl, { migrations: [] }))
    : null;
  try {
    await readDataSource?.initialize();
  } catch (error) {
    await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  if (tamperEvidenceWeakened.length > 0)
    warn(
      `tamper evidence is weaker: the API's database role can defeat the audit log's protections ` +
        `(${tamperEvidenceWeakened.join('; ')}). Connect it as a role that owns nothing and set ` +
        `DATABASE_OWNER_URL for the migrations (README, "Database roles").`,
    );
  return {
    dataSource,
    readDataSource,
    url: connections.url,
    runtimeUrl: connections.runtimeUrl,
    embedded,
    tamperEvidenceWeakened,
    asOwner: async (work) => {
      if (connections.ownerUrl === connections.runtimeUrl) return work(dataSource);
      const owner = new DataSource(dataSourceOptions(connections.ownerUrl));
      await owner.initialize();
      try {
        return await work(owner);
      } finally {
        await owner.destroy();
      }
    },
    close: async () => {
      if (readDataSource?.isInitialized) await readDataSource.destroy();
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
