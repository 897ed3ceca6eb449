// `npm run policy:explain -- --account <username> --field Person.phone [--record <id>] [--json]`: why
// an account reads a field, gets it masked, is denied it, or finds the record out of its scope — asked
// of the code that enforces it (src/permissions/explain.ts). A reviewer's tool on the database itself
// (DATABASE_URL, or the embedded one under .data/), like audit:verify; the same answer without record
// facts is the AUDITOR query `explainAccess`.
import 'reflect-metadata';
import { isObjectType } from 'graphql';
import { loadUserIdentity, withBreakGlassGrants } from '../auth/identity-store';
import { loadConfig } from '../config';
import { buildBareSchema } from '../graphql/schema';
import { isUuid } from '../graphql/validation';
import { explainAccess, renderExplanation } from '../permissions/explain';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

function option(name: string): string | null {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  return value && !value.startsWith('--') ? value : null;
}

async function main(): Promise<void> {
  const username = option('account');
  const field = option('field');
  const recordId = option('record');
  if (!username || !field) throw new Error('give --account <username> and --field <Type.field>');
  const [typeName = '', fieldName = ''] = field.split('.');
  const type = (await buildBareSchema()).getType(typeName);
  if (!isObjectType(type) || !type.getFields()[fieldName])
    throw new Error(`${field} is not a field of the schema (give Type.field, e.g. Person.phone)`);
  if (recordId !== null && !isUuid(recordId)) throw new Error(`${recordId} is not a record id`);
  const database = await openCliDatabase(loadConfig());
  try {
    const rows: { id: string }[] = await database.dataSource.query(
      `SELECT id FROM users WHERE username = $1`,
      [username],
    );
    const account = rows[0] ? await loadUserIdentity(database.dataSource, rows[0].id) : null;
    if (!account) throw new Error(`no active account is named ${username}`);
    const today = new Date();
    const identity = await withBreakGlassGrants(database.dataSource, account, today);
    const explanation = await explainAccess(database.dataSource, {
      identity,
      field,
      recordId,
      today,
    });
    process.stdout.write(
      process.argv.includes('--json')
        ? `${JSON.stringify(explanation, null, 2)}\n`
        : renderExplanation(explanation),
    );
  } finally {
    await database.close();
  }
}

runCli(main, {
  failure: 'policy:explain failed',
  hint: 'Usage: npm run policy:explain -- --account <username> --field Person.phone [--record <id>] [--json]',
});
