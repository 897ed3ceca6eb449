// `npm run duplicates:persons`: lists the persons who share a national ID number (one record per
// person, SPEC §5a), group by group, with what a grid leader needs to merge them (mergePersons) —
// record ids, grids, registration dates, tiers; no names or numbers. Options:
//   --enforce-unique  once there are none, makes the ID number index unique (migration
//                     OnePersonOneRecord left it non-unique where duplicates existed)
//   --fill-search     writes the romanised search name of persons written by SQL rather than by the
//                     API (demo data, the scale seeder, imports), so similarPersons finds them by pinyin
// Uses DATABASE_URL, or the embedded database under .data/: the running API's, or one started for it.
import 'reflect-metadata';
import { loadConfig } from '../config';
import {
  enforceUniqueIdNumbers,
  fillMissingNameSearch,
  findDuplicateIdNumbers,
  idNumberIndexIsUnique,
} from '../domain/people/duplicates.service';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

const USAGE = 'usage: npm run duplicates:persons [-- --enforce-unique] [-- --fill-search]';

async function main(): Promise<void> {
  const options = new Set(process.argv.slice(2));
  const unknown = [...options].filter((option) => !['--enforce-unique', '--fill-search'].includes(option));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(', ')}\n${USAGE}`);
  const database = await openCliDatabase(loadConfig(), (message) => console.log(message));
  try {
    const dataSource = database.dataSource;
    if (options.has('--fill-search')) {
      const filled = await fillMissingNameSearch(dataSource);
      console.log(`search names written for ${filled} persons`);
    }
    const groups = await findDuplicateIdNumbers(dataSource.manager);
    const unique = await idNumberIndexIsUnique(dataSource.manager);
    if (groups.length === 0) {
      console.log('no two persons share a national ID number');
    } else {
      const persons = groups.reduce((sum, group) => sum + group.persons.length, 0);
      console.log(`${persons} persons share ${groups.length} national ID numbers:`);
      for (const group of groups) {
        console.log(`\nID number ending …${group.idNumberEnding}: ${group.persons.length} records`);
        for (const person of group.persons) {
          console.log(
            `  ${person.id}  grid ${person.gridPath}  registered ${person.createdAt.toISOString().slice(0, 10)}  tier ${person.tier}`,
          );
        }
      }
      console.log(
        '\nFor each group, the leader of the grid merges the records into the one to keep (mergePersons); ' +
          'records in different grids are first moved into one grid (updatePerson gridId) by someone who sees both.',
      );
    }
    if (options.has('--enforce-unique')) {
      if (groups.length > 0) {
        console.error('the ID number index stays non-unique until every group above is merged');
        process.exitCode = 1;
        return;
      }
      const changed = await database.asOwner((owner) => enforceUniqueIdNumbers(owner));
      console.log(changed ? 'the ID number index is now unique' : 'the ID number index was already unique');
    } else if (!unique) {
      console.log(
        groups.length === 0
          ? 'the ID number index is not unique yet: run `npm run duplicates:persons -- --enforce-unique`'
          : 'the ID number index is not unique yet; once the groups are merged, run `npm run duplicates:persons -- --enforce-unique`',
      );
    }
  } finally {
    await database.close();
  }
}

runCli(main, {
  failure: 'duplicates:persons failed',
  hint: 'It reads the database of DATABASE_URL (DATABASE_OWNER_URL for --enforce-unique), or the embedded one under CONCORD_DATA_DIR (default .data/).',
});
