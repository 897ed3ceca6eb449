// Review-by dates that act, and name search indexed for Chinese (issue 23, items 4 and 6).
//
// Tier overrides: an approved override ends at its review-by date (its decision time plus the review
// days of the tier level that decided it, src/domain/risk/review-by.ts) unless the same level renews
// it. A lapsed override becomes EXPIRED; the sweep that finds them reads only the approved requests,
// hence the partial index.
//
// Names: under the database's C locale pg_trgm makes no trigrams of Chinese characters, so a search
// for "王" scanned every person. person_name_grams(name, name_search) is the name's characters and
// pairs of neighbouring characters (spaces dropped, ASCII lower-cased), plus the romanised name's
// syllables, pairs of neighbouring syllables and the whole (prefixed "~"), and its initials (prefixed
// "^"). A GIN index on that expression finds one- and two-character queries and pinyin; the API then
// rechecks the exact substring (src/domain/people/name-search.ts). Being an expression index, it is
// kept by PostgreSQL on every insert and update, whoever writes (API, imports, seeds). The pinyin
// half needs name_search, which only the API computes: rows written without it (the seeds) are
// filled here.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { nameSearchKey } from '../src/domain/people/rules';
import { overrideReviewBySql } from '../src/domain/risk/review-by';

const BATCH = 5000;

export class ReviewByAndNameSearch1766300000000 implements MigrationInterface {
  name = 'ReviewByAndNameSearch1766300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE tier_change_requests DROP CONSTRAINT IF EXISTS tier_change_requests_status_check`,
    );
    await db.query(
      `ALTER TABLE tier_change_requests ADD CONSTRAINT tier_change_requests_status_check
         CHECK (status IN ('PENDING','APPROVED','REJECTED','SUPERSEDED','EXPIRED'))`,
    );
    await db.query(
      `CREATE INDEX tier_change_requests_approved ON tier_change_requests (decided_at) WHERE status = 'APPROVED'`,
    );
    // Stored explanations of overrides in effect say when they end, as the API writes them from now on.
    await db.query(`
      UPDATE persons p
         SET tier_explanation_data = jsonb_set(p.tier_explanation_data, '{override,reviewBy}', to_jsonb(${overrideReviewBySql('r')}))
        FROM tier_change_requests r
       WHERE jsonb_typeof(p.tier_explanation_data -> 'override') = 'object'
         AND r.id = (p.tier_explanation_data -> 'override' ->> 'requestId')::uuid`);

    // Duplicates in the array are harmless: GIN keeps each key once.
    await db.query(`
      CREATE FUNCTION person_name_grams(name text, name_search text) RETURNS text[]
      LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
      DECLARE
        characters text := translate(coalesce(name, ''),
                                     'ABCDEFGHIJKLMNOPQRSTUVWXYZ' || E' \\t\\r\\n\\f' || chr(11),
                                     'abcdefghijklmnopqrstuvwxyz');
        character_count integer := char_length(characters);
        syllables text[] := array_remove(string_to_array(coalesce(name_search, ''), ' '), '');
        syllable_count integer := cardinality(syllables);
        initials text := '';
        grams text[] := '{}';
      BEGIN
        FOR i IN 1 .. character_count LOOP
          grams := grams || substr(characters, i, 1);
          IF i < character_count THEN grams := grams || substr(characters, i, 2); END IF;
        END LOOP;
        FOR i IN 1 .. syllable_count LOOP
          grams := grams || ('~' || syllables[i]);
          initials := initials || left(syllables[i], 1);
          IF i < syllable_count THEN grams := grams || ('~' || syllables[i] || syllables[i + 1]); END IF;
        END LOOP;
        IF syllable_count > 2 THEN grams := grams || ('~' || array_to_string(syllables, '')); END IF;
        IF syllable_count > 1 THEN grams := grams || ('^' || initials); END IF;
        RETURN grams;
      END $$`);

    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = (await db.query(
        `SELECT id, name FROM persons WHERE id > $1 AND name_search IS NULL ORDER BY id LIMIT ${BATCH}`,
        [after],
      )) as { id: string; name: string }[];
      if (rows.length === 0) break;
      await db.query(
        `UPDATE persons p SET name_search = v.name_search
           FROM unnest($1::uuid[], $2::text[]) AS v(id, name_search) WHERE p.id = v.id`,
        [rows.map((row) => row.id), rows.map((row) => nameSearchKey(row.name))],
      );
      after = rows[rows.length - 1]?.id ?? after;
    }
    // With the grid first (btree_gin), a search within a street or a grid walks only that area's
    // entries of a common character instead of every match in the city.
    await db.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await db.query(
      `CREATE INDEX persons_name_grams ON persons USING gin (grid_id, person_name_grams(name, name_search))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS persons_name_grams`);
    await db.query(`DROP FUNCTION IF EXISTS person_name_grams(text, text)`);
    await db.query(`DROP INDEX IF EXISTS tier_change_requests_approved`);
    await db.query(`UPDATE tier_change_requests SET status = 'SUPERSEDED' WHERE status = 'EXPIRED'`);
    await db.query(
      `ALTER TABLE tier_change_requests DROP CONSTRAINT IF EXISTS tier_change_requests_status_check`,
    );
    await db.query(
      `ALTER TABLE tier_change_requests ADD CONSTRAINT tier_change_requests_status_check
         CHECK (status IN ('PENDING','APPROVED','REJECTED','SUPERSEDED'))`,
    );
  }
}
