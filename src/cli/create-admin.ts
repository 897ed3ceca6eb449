// `npm run user:create-admin -- <username> [--jurisdiction CODE] [--display-name NAME]
//   [--department CODE] [--city-code CODE --city-name NAME]`: makes <username> an ADMIN with a
// one-time temporary password, printed once (src/auth/first-admin.ts). Uses DATABASE_URL, or the
// embedded database under .data/: the running API's, or one started for it.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ensureAdministrator } from '../auth/first-admin';
import { loadConfig } from '../config';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      jurisdiction: { type: 'string' },
      'display-name': { type: 'string' },
      department: { type: 'string' },
      'city-code': { type: 'string' },
      'city-name': { type: 'string' },
    },
  });
  const username = positionals[0];
  if (!username) throw new Error('name the account: npm run user:create-admin -- <username>');
  const cityCode = values['city-code'];
  const cityName = values['city-name'];
  const database = await openCliDatabase(loadConfig());
  try {
    const admin = await ensureAdministrator(database.dataSource, {
      username,
      displayName: values['display-name'],
      jurisdictionCode: values.jurisdiction,
      departmentCode: values.department,
      city: cityCode && cityName ? { code: cityCode, name: cityName } : undefined,
      now: new Date(),
    });
    console.log(
      `${admin.created ? 'Created' : 'Made'} ADMIN ${admin.username}. Temporary password (shown once, signs in once, ` +
        `until ${admin.temporaryPasswordExpiresAt.toISOString()}): ${admin.temporaryPassword}\n` +
        `Sign in with it, then run changePassword: the session may do nothing else until then.`,
    );
  } finally {
    await database.close();
  }
}

runCli(main, {
  failure: 'user:create-admin failed',
  hint: 'It writes to the database of DATABASE_URL, or the embedded one under CONCORD_DATA_DIR (default .data/), running or not.',
});
