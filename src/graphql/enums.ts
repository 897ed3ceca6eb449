// Registers every GraphQL enum with a bilingual description; each value carries its Chinese label.
import { registerEnumType } from 'type-graphql';

export function bilingualEnum<T extends Record<string, string>>(
  enumObject: T,
  name: string,
  description: string,
  labels: { [K in keyof T]: string },
): T {
  const valuesConfig = Object.fromEntries(
    Object.keys(enumObject).map((key) => [key, { description: labels[key as keyof T] }]),
  ) as { [K in keyof T]: { description: string } };
  registerEnumType(enumObject, { name, description, valuesConfig });
  return enumObject;
}
