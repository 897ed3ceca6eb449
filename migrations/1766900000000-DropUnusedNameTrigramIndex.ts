// persons_name_trgm (Foundation) indexed trigrams of `name`; under the database's C locale pg_trgm makes
// none of Chinese characters, and since ReviewByAndNameSearch no query reads it: `nameContains` uses
// person_name_grams and `similarPersons` the trigrams of name_search (persons_name_search_trgm). It
// cost every insert and update of a person for nothing, so it goes.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DropUnusedNameTrigramIndex1766900000000 implements MigrationInterface {
  name = 'DropUnusedNameTrigramIndex1766900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS persons_name_trgm`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX IF NOT EXISTS persons_name_trgm ON persons USING gin (name gin_trgm_ops)`);
  }
}
