// Loaders read only the columns a query's fields need (src/graphql/selection.ts), from what each field
// declares where it is defined (src/graphql/reads.ts). A field of an entity's type that is neither a
// column nor declares what it reads fails here — for every entity type of the schema, including those
// added later — instead of silently reading whole rows, or too little, on some page.
import { isObjectType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { getMetadataArgsStorage } from 'typeorm';
import { buildBareSchema } from '../../src/graphql/schema';

type EntityClass = ReturnType<typeof getMetadataArgsStorage>['tables'][number]['target'];

function columnsOf(target: EntityClass): Set<string> {
  return new Set(
    getMetadataArgsStorage()
      .filterColumns(target)
      .map((column) => column.propertyName),
  );
}

test('every field of an entity type is a column or declares the columns it reads', async () => {
  const schema = await buildBareSchema();
  const entities = new Set(getMetadataArgsStorage().tables.map((table) => table.target));
  const problems: string[] = [];
  let checked = 0;
  for (const objectType of getMetadataStorage().objectTypes) {
    if (!entities.has(objectType.target)) continue;
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    checked += 1;
    const columns = columnsOf(objectType.target);
    for (const property of type.extensions.alwaysReads ?? []) {
      if (!columns.has(property)) problems.push(`${type.name} @AlwaysReads names ${property}, not a column`);
    }
    for (const field of Object.values(type.getFields())) {
      const reads = field.extensions.reads;
      if (reads === undefined && !columns.has(field.name)) {
        problems.push(`${type.name}.${field.name} is not a column and declares no @Reads`);
      }
      for (const property of reads ?? []) {
        if (!columns.has(property)) problems.push(`${type.name}.${field.name} @Reads names ${property}`);
      }
    }
  }
  expect([...new Set(problems)]).toEqual([]);
  // The check saw the entity types whose rows the loaders narrow.
  expect(checked).toBeGreaterThanOrEqual(10);
  for (const name of ['Person', 'Dispute', 'Assignment', 'FollowUp']) {
    const type = schema.getType(name);
    expect(isObjectType(type) && type.extensions.alwaysReads).toEqual(expect.arrayContaining(['id']));
  }
});
