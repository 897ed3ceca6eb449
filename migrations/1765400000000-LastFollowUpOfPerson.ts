// Each person keeps the time of their latest follow-up (persons.last_follow_up_at), kept by the
// database from follow_ups whoever writes them: the API, the scale seeder, an operator's correction.
// The overdue list (listOverdueFollowUps) needs it for every tiered person of a subtree; looking it up
// with max() per person was most of that statement's cost. EXPLAIN-timed on a street of the 100k-person
// city (705 overdue of 1,164 tiered): 5.2–6.5 ms with the lookups, 2.7–2.9 ms with the column.
//
// Inserts raise it (statement-level, so a batch of follow-ups costs one UPDATE); an update or delete
// of a follow-up recomputes it for the persons involved; TRUNCATE clears it. It is not an entity
// column: the API never writes it, and no GraphQL field reads it directly.
//
// Every follow-up now updates its person's row, and an updated page loses its all-visible bit until
// the next VACUUM: the dashboard's page of persons and its count are index-only scans that then read
// the heap (a street's page statement: 2.1 ms on a vacuumed table, 4.1 ms on one whose pages had all
// been updated). Autovacuum's default waits for 20% of the rows to change (~36 days of follow-ups at
// city scale), so persons is vacuumed after every 1,000 changed rows instead; pages are filled to 90%
// so that the update usually stays on its page (HOT) instead of adding an entry to every index.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LastFollowUpOfPerson1765400000000 implements MigrationInterface {
  name = 'LastFollowUpOfPerson1765400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE persons ADD COLUMN last_follow_up_at timestamptz(3)`);
    await db.query(`
      ALTER TABLE persons SET (fillfactor = 90, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000)`);
    await db.query(`
      CREATE FUNCTION persons_follow_ups_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE persons p SET last_follow_up_at = added.at
          FROM (SELECT person_id, max(occurred_at) AS at FROM added_follow_ups GROUP BY person_id) added
         WHERE p.id = added.person_id
           AND (p.last_follow_up_at IS NULL OR p.last_follow_up_at < added.at);
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER persons_follow_ups_added AFTER INSERT ON follow_ups
      REFERENCING NEW TABLE AS added_follow_ups
      FOR EACH STATEMENT EXECUTE FUNCTION persons_follow_ups_added()`);
    await db.query(`
      CREATE FUNCTION persons_follow_ups_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE persons p
           SET last_follow_up_at = (SELECT max(f.occurred_at) FROM follow_ups f WHERE f.person_id = p.id)
         WHERE p.id = OLD.person_id OR (TG_OP = 'UPDATE' AND p.id = NEW.person_id);
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER persons_follow_ups_changed AFTER UPDATE OR DELETE ON follow_ups
      FOR EACH ROW EXECUTE FUNCTION persons_follow_ups_changed()`);
    await db.query(`
      CREATE FUNCTION persons_follow_ups_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE persons SET last_follow_up_at = NULL WHERE last_follow_up_at IS NOT NULL;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER persons_follow_ups_truncated AFTER TRUNCATE ON follow_ups
      FOR EACH STATEMENT EXECUTE FUNCTION persons_follow_ups_truncated()`);
    await db.query(`
      UPDATE persons p SET last_follow_up_at = latest.at
        FROM (SELECT person_id, max(occurred_at) AS at FROM follow_ups GROUP BY person_id) latest
       WHERE p.id = latest.person_id`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER persons_follow_ups_truncated ON follow_ups`);
    await db.query(`DROP TRIGGER persons_follow_ups_changed ON follow_ups`);
    await db.query(`DROP TRIGGER persons_follow_ups_added ON follow_ups`);
    await db.query(
      `DROP FUNCTION persons_follow_ups_truncated, persons_follow_ups_changed, persons_follow_ups_added`,
    );
    await db.query(`ALTER TABLE persons DROP COLUMN last_follow_up_at`);
    await db.query(
      `ALTER TABLE persons RESET (fillfactor, autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold)`,
    );
  }
}
