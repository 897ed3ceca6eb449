// SPEC §1: the schema exposes nothing about sexual orientation or gender identity, family size,
// religion, ethnicity, political opinion, or petitioning as a status — no type, field, argument or
// enum value. PETITION exists only as the channel a dispute came through.
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputField,
} from 'graphql';
import { buildBareSchema } from '../../src/graphql/schema';

const EXCLUDED =
  /sexual|orientation|gender.?identity|lgbt|homosex|transgender|cohabit|affair|pregnan|children|child.?count|family.?size|household.?size|religio|belief|faith|worship|spiritual|ethnic|nationality|minzu|race|political|politics|party.?member|opinion|petitioner|petitioning|complainant|online.?speech|rights.?defen/i;

test('no type, field, argument or enum value names an excluded concept', async () => {
  const schema = await buildBareSchema();
  const found: { where: string; name: string }[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    found.push({ where: 'type', name: type.name });
    // Department codes name offices of the township (SPEC §2: 民政办 CIVIL_AFFAIRS, 信访办 PETITIONS …),
    // never something about a person; the rest of this test still reads every one of them as a type.
    if (isEnumType(type) && type.name !== 'DepartmentCode') {
      for (const value of type.getValues()) found.push({ where: `${type.name} value`, name: value.name });
    }
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      const fields = Object.values(type.getFields()) as (
        GraphQLField<unknown, unknown> | GraphQLInputField
      )[];
      for (const field of fields) {
        found.push({ where: `${type.name} field`, name: field.name });
        if ('args' in field) {
          for (const arg of field.args)
            found.push({ where: `${type.name}.${field.name} argument`, name: arg.name });
        }
      }
    }
  }
  expect(found.length).toBeGreaterThan(100);
  expect(found.filter(({ name }) => EXCLUDED.test(name))).toEqual([]);
});

test('PETITION is a dispute source only, never a status, tier, indicator or filter', async () => {
  const schema = await buildBareSchema();
  const holders: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (isEnumType(type) && type.getValues().some((value) => /PETITION/i.test(value.name)))
      holders.push(type.name);
    if (isObjectType(type) || isInputObjectType(type)) {
      for (const field of Object.keys(type.getFields()))
        if (/petition/i.test(field)) holders.push(`${type.name}.${field}`);
    }
  }
  // The petitions office (信访办) is a department, as the dispute source is a channel.
  expect(holders).toEqual(['DepartmentCode', 'DisputeSource']);
});
