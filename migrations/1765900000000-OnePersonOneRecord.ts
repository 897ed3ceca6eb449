// One record per person (SPEC §5a, issue 21 item 5). A valid national ID number is unique: an index on
// its normalised form, `upper(btrim(id_number))`, unique when the database holds no two persons with
// the same number. A database that already does keeps a non-unique index of the same name, and the
// migration says so: `npm run duplicates:persons` lists the duplicates for the grid leaders to merge
// (mergePersons), then `npm run duplicates:persons -- --enforce-unique` makes the index unique. The
// API refuses a known number either way (src/domain/people/duplicates.service.ts).
//
// Similar names: persons.name_search holds the name romanised (toneless pinyin), kept by the API on
// every write; under the database's C locale pg_trgm makes no trigrams of Chinese characters, so the
// trigram index is on this column. Existing rows are filled here.
//
// person_merges: where a merged-away record went. The merged record is deleted once everything that
// referred to it refers to the kept one (the foreign keys prove nothing was left behind); this table
// and the merge's audit entry keep its id meaningful.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { nameSearchKey } from '../src/domain/people/rules';

const BATCH = 5000;

export class OnePersonOneRecord1765900000000 implements MigrationInterface {
  name = 'OnePersonOneRecord1765900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE persons ADD COLUMN name_search text`);
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = (await db.query(`SELECT id, name FROM persons WHERE id > $1 ORDER BY id LIMIT ${BATCH}`, [
        after,
      ])) as { id: string; name: string }[];
      if (rows.length === 0) break;
      await db.query(
        `UPDATE persons p SET name_search = v.name_search
           FROM unnest($1::uuid[], $2::text[]) AS v(id, name_search) WHERE p.id = v.id`,
        [rows.map((row) => row.id), rows.map((row) => nameSearchKey(row.name))],
      );
      after = rows[rows.length - 1]?.id ?? after;
    }
    await db.query(`CREATE INDEX persons_name_search_trgm ON persons USING gin (name_search gin_trgm_ops)`);

    await db.query(`
      CREATE TABLE person_merges (
        merged_person_id uuid PRIMARY KEY,
        kept_person_id uuid NOT NULL REFERENCES persons(id),
        merged_at timestamptz NOT NULL,
        merged_by_id uuid REFERENCES users(id)
      )`);
    await db.query(`CREATE INDEX person_merges_kept ON person_merges (kept_person_id)`);

    const [found] = (await db.query(
      `SELECT count(*)::int AS groups, coalesce(sum(n), 0)::int AS persons
         FROM (SELECT count(*) AS n FROM persons
                WHERE id_number IS NOT NULL AND btrim(id_number) <> ''
                GROUP BY upper(btrim(id_number)) HAVING count(*) > 1) duplicates`,
    )) as { groups: number; persons: number }[];
    const unique = (found?.groups ?? 0) === 0;
    await db.query(
      `CREATE ${unique ? 'UNIQUE ' : ''}INDEX persons_id_number_normalised ON persons ((upper(btrim(id_number))))
        WHERE id_number IS NOT NULL AND btrim(id_number) <> ''`,
    );
    if (!unique) {
      console.error(
        `OnePersonOneRecord: ${found?.persons} persons share ${found?.groups} national ID numbers, so the ID ` +
          `number index was made NOT unique. The API refuses new duplicates all the same. Run ` +
          `\`npm run duplicates:persons\` to list them, have the grid leaders merge each group (mergePersons), ` +
          `then run \`npm run duplicates:persons -- --enforce-unique\`.`,
      );
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS persons_id_number_normalised`);
    await db.query(`DROP TABLE IF EXISTS person_merges`);
    await db.query(`DROP INDEX IF EXISTS persons_name_search_trgm`);
    await db.query(`ALTER TABLE persons DROP COLUMN IF EXISTS name_search`);
  }
}
