// Writes schema/permissions.md, .json and .html from the policy table; with --check, fails when the
// committed files differ from what the policy generates (CI runs this). The changes the Markdown and the
// page mark are against schema/permissions.previous.json, the snapshot of the last release: the release
// process refreshes it with `--release <name>` (from the current policy, or `--from` a permissions.json).
import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildBareSchema } from '../graphql/schema';
import {
  buildMatrix,
  renderMarkdown,
  snapshotOf,
  type DepartmentName,
  type PermissionMatrix,
  type ReleaseSnapshot,
} from '../permissions/matrix';
import { renderHtml } from '../permissions/matrix-page';
import { runCli } from './run-cli';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIRECTORY = path.join(ROOT, 'schema');
const PREVIOUS = path.join(DIRECTORY, 'permissions.previous.json');

function option(name: string): string | null {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  return value && !value.startsWith('--') ? value : null;
}

async function main(): Promise<void> {
  const matrix = buildMatrix(await buildBareSchema());
  const release = option('release');
  if (release) {
    const from = option('from');
    const source: PermissionMatrix = from ? JSON.parse(await readFile(from, 'utf8')) : matrix;
    await writeFile(PREVIOUS, `${JSON.stringify(snapshotOf(source, release), null, 1)}\n`);
    console.log(`wrote schema/permissions.previous.json: the decisions of release ${release}`);
  }
  const previous: ReleaseSnapshot = JSON.parse(await readFile(PREVIOUS, 'utf8'));
  const departments: DepartmentName[] = JSON.parse(
    await readFile(path.join(ROOT, 'src', 'database', 'reference-data', 'departments.json'), 'utf8'),
  );
  const files = {
    'permissions.md': renderMarkdown(matrix, previous, departments),
    'permissions.json': `${JSON.stringify(matrix, null, 2)}\n`,
    'permissions.html': renderHtml(matrix, previous, departments),
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
      console.log(`wrote schema/${name} (${Buffer.byteLength(content).toLocaleString('en')} bytes)`);
    }
  }
  if (stale) process.exit(1);
  if (check) console.log('schema/permissions.md, .json and .html are up to date');
}

runCli(main, { failure: 'policy:matrix failed' });
