// Turns a plain record into an instance of an input class, so class-validator checks it the same
// way it checks arguments that arrive through GraphQL.
export function plainToInstance<T extends object>(type: new () => T, record: Record<string, unknown>): T {
  return Object.assign(new type(), record);
}
