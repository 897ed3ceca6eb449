// Labels at run time (issue 22 item 7): with introspection off, a screen still gets the Chinese and
// English label of every enum and value, and they are the ones the schema's descriptions carry.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, GraphQLEnumType } from 'graphql';
import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ nodeEnv: 'production', exposeSqlStatementCount: false });
});
afterAll(() => api.close());

const LABELS = `query Labels($enum: String) { labels(enum: $enum) { enum zh en values { value zh en } } }`;
const CJK = /[\u4e00-\u9fff]/;

/** The published schema: what a front-end generates its types from. */
const published = buildSchema(readFileSync(path.join(__dirname, '../../schema/schema.graphql'), 'utf8'));

test('every enum of the published schema, with both labels for it and for each value, in production', async () => {
  const token = await api.login('grid.worker');
  const result = await api.gql(LABELS, {}, token);
  expect(result.errors).toBeUndefined();
  const served = result.data?.labels as {
    enum: string;
    zh: string;
    en: string;
    values: { value: string; zh: string; en: string }[];
  }[];
  const enums = Object.values(published.getTypeMap()).filter(
    (type): type is GraphQLEnumType => type instanceof GraphQLEnumType && !type.name.startsWith('__'),
  );
  expect(served.map((labels) => labels.enum).sort()).toEqual(enums.map((type) => type.name).sort());
  for (const type of enums) {
    const labels = served.find((entry) => entry.enum === type.name);
    expect(labels?.values.map((value) => value.value).sort()).toEqual(
      type
        .getValues()
        .map((value) => value.name)
        .sort(),
    );
    for (const label of [labels!, ...labels!.values]) {
      expect({ enum: type.name, zh: CJK.test(label.zh) }).toEqual({ enum: type.name, zh: true });
      expect({ enum: type.name, en: CJK.test(label.en) || label.en.length === 0 }).toEqual({
        enum: type.name,
        en: false,
      });
    }
    // The labels are the description's two halves, not a second copy of them.
    for (const value of type.getValues()) {
      const label = labels!.values.find((entry) => entry.value === value.name)!;
      expect(`${label.zh} / ${label.en}`).toBe(value.description);
    }
  }
});

test('one enum by name; an unknown name is named back as bad input; signed out gets nothing', async () => {
  const token = await api.login('police.worker');
  const status = await api.gql(LABELS, { enum: 'DisputeStatus' }, token);
  expect(status.errors).toBeUndefined();
  expect(status.data?.labels).toHaveLength(1);
  expect(status.data?.labels[0]).toMatchObject({
    enum: 'DisputeStatus',
    zh: '办理状态',
    en: 'Dispute status',
    values: expect.arrayContaining([{ value: 'REPORTED', zh: '已登记', en: 'Reported' }]),
  });
  const unknown = await api.gql(LABELS, { enum: 'NoSuchEnum' }, token);
  expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  const anonymous = await api.gql(LABELS, {});
  expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});
