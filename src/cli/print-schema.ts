// Writes the SDL of the API schema to schema/schema.graphql; with --check, fails when the committed
// file differs from what the code generates (CI runs this).
import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildBareSchema } from '../graphql/schema';
import { runCli } from './run-cli';

const TARGET = path.resolve(__dirname, '..', '..', '..', 'schema', 'schema.graphql');

async function main(): Promise<void> {
  const sdl = `${printSchema(lexicographicSortSchema(await buildBareSchema()))}\n`;
  if (process.argv.includes('--check')) {
    const committed = await readFile(TARGET, 'utf8').catch(() => '');
    if (committed !== sdl) {
      console.error('schema/schema.graphql is out of date: run `npm run schema:print` and commit the result');
      process.exit(1);
    }
    console.log('schema/schema.graphql is up to date');
    return;
  }
  await writeFile(TARGET, sdl);
  console.log(`wrote ${path.relative(process.cwd(), TARGET)}`);
}

runCli(main, { failure: 'schema:print failed' });
