// Writes schema/permissions.md and schema/permissions.json from the policy table; with --check,
// fails when the committed files differ from what the policy generates (CI runs this).
import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildBareSchema } from '../graphql/schema';
import { buildMatrix, renderMarkdown } from '../permissions/matrix';
import { runCli } from './run-cli';

const DIRECTORY = path.resolve(__dirname, '..', '..', '..', 'schema');

async function main(): Promise<void> {
  const matrix = buildMatrix(await buildBareSchema());
  const files = {
    'permissions.md': renderMarkdown(matrix),
    'permissions.json': `${JSON.stringify(matrix, null, 2)}\n`,
  };
  const check = process.argv.includes('--check');
  let stale = false;
  for (const [name, content] of Object.entries(files)) {
    const target = path.join(DIRECTORY, name);
    if (check) {
      const committed = await readFile(target, 'utf8').catch(() => '');
      if (committed !== content) {
        console.error(`schema/${name} is out of date: run \`npm run policy:matrix\` and commit the result`);
        stale = true;
      }
    } else {
      await writeFile(target, content);
      console.log(`wrote schema/${name}`);
    }
  }
  if (stale) process.exit(1);
  if (check) console.log('schema/permissions.md and schema/permissions.json are up to date');
}

runCli(main, { failure: 'policy:matrix failed' });
