// Runs GraphQL Code Generator's client preset over schema/schema.graphql and the operations a front-end
// keeps in test/frontend/operations/, as its CLI would (`preset: 'client'`, `persistedDocuments: true`),
// through @graphql-codegen/core: the CLI is not installed. Writes gql/ into the directory given as the
// first argument. A plain Node script, because the preset loads ES modules Jest's runtime cannot require.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codegen } from '@graphql-codegen/core';
import { preset } from '@graphql-codegen/client-preset';
import { buildSchema, parse } from 'graphql';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const operationsDir = path.join(here, 'operations');
const outputDir = process.argv[2];
if (!outputDir) throw new Error('usage: node generate-client.mjs <output directory>');

const sdl = await readFile(path.join(root, 'schema/schema.graphql'), 'utf8');
const files = (await readdir(operationsDir)).filter((file) => file.endsWith('.graphql')).sort();
const documents = await Promise.all(
  files.map(async (file) => {
    const location = path.join(operationsDir, file);
    const rawSDL = await readFile(location, 'utf8');
    return { location, rawSDL, document: parse(rawSDL) };
  }),
);
const baseOutputDir = `${path.join(outputDir, 'gql')}/`;
const outputs = await preset.buildGeneratesSection({
  baseOutputDir,
  presetConfig: { persistedDocuments: true },
  plugins: [],
  pluginMap: {},
  schema: parse(sdl),
  schemaAst: buildSchema(sdl),
  documents,
  config: { scalars: { DateTimeISO: 'string' }, useTypeImports: true },
  documentTransforms: [],
});
await mkdir(baseOutputDir, { recursive: true });
// In order: the persisted-documents manifest is complete once graphql.ts has been generated.
for (const output of outputs) {
  await writeFile(output.filename, await codegen(output));
}
console.log(outputs.map((output) => path.basename(output.filename)).join('\n'));
