// Publishing an indicator catalog version (issue 20 item 5): an ADMIN publishes v2 through the API;
// new assessments use it at once — on a second API process too, with no restart — and a code it no
// longer has is refused; an assessment made under v1 keeps explaining itself with v1. A version that
// would bring back something Concord never records (SPEC §1) is refused, as is any bad input, and
// nothing changes then; the publication and its audit entry commit together.
import { EXCLUDED_CONCEPTS } from '../../src/domain/risk/excluded-concepts';
import indicatorCatalogFile from '../../src/database/reference-data/indicator-catalog.json';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestApi, type TestApi } from '../support/api';
import { recordAssessment, registerPerson } from '../support/fixtures';
import { startReplica, type Replica } from './reference-data-replica';

let api: TestApi;
let replica: Replica;

beforeAll(async () => {
  api = await startTestApi();
  replica = await startReplica(api);
}, 180_000);
afterAll(async () => {
  await replica?.close();
  await api?.close();
});

const PUBLISH = `mutation($input: PublishIndicatorCatalogInput!) { publishIndicatorCatalog(input: $input) {
  catalog { version current notes indicators { code category nameZh } } userErrors { field message code } } }`;
const RECORD = `mutation($input: RecordAssessmentInput!) { recordAssessment(input: $input) {
  assessment { id catalogVersion indicators { code category } } userErrors { field message code } } }`;
const EXPLAIN = `query($id: ID!) { person(id: $id) { tier tierExplanation { catalogVersion categories summary
  indicators { code category nameZh nameEn } } } }`;

type Entry = { code: string; category: string; nameZh: string; nameEn: string };
const V1: Entry[] = indicatorCatalogFile.indicators;

/** v1 without WITHDRAWN, with one new behaviour indicator and one name reworded. */
const V2: Entry[] = [
  ...V1.filter((entry) => entry.code !== 'WITHDRAWN').map((entry) =>
    entry.code === 'ERRATIC' ? { ...entry, nameZh: '情绪反复无常' } : entry,
  ),
  {
    code: 'STALKING',
    category: 'BEHAVIOR',
    nameZh: '跟踪尾随、纠缠他人',
    nameEn: 'Stalks or harasses another person',
  },
];

async function publish(
  token: string,
  indicators: Entry[],
  expectedCurrentVersion: number,
  notes = '试行新版',
) {
  return api.gql(PUBLISH, { input: { indicators, expectedCurrentVersion, notes } }, token);
}

async function catalogState() {
  const [versions, indicators, audit] = await Promise.all([
    api.dataSource.query(`SELECT version, current FROM indicator_catalog_versions ORDER BY version`),
    api.dataSource.query(`SELECT count(*)::int AS count FROM indicators`),
    api.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_entries WHERE operation = 'publishIndicatorCatalog'`,
    ),
  ]);
  return { versions, indicators, audit };
}

test('the schema test and the catalog check use the same rule for what Concord never records', () => {
  const schemaTest = readFileSync(
    path.join(__dirname, '..', 'permissions', 'excluded-concepts.test.ts'),
    'utf8',
  );
  const rule = /const EXCLUDED =\s*\/(.+)\/i;/.exec(schemaTest)?.[1];
  expect(rule).toBe(EXCLUDED_CONCEPTS.source);
});

test('bad catalogs are refused with the code named, and change nothing', async () => {
  const admin = await api.login('admin');
  const before = await catalogState();
  const cases: [Entry[], number, RegExp, string][] = [
    [
      [...V1, { code: 'RELIGIOUS_ZEAL', category: 'CHARACTER', nameZh: '狂热', nameEn: 'Zeal' }],
      1,
      /RELIGIOUS_ZEAL/,
      'BAD_USER_INPUT',
    ],
    [
      [...V1, { code: 'REPEAT_VISITS', category: 'BEHAVIOR', nameZh: '多次上访', nameEn: 'Visits' }],
      1,
      /REPEAT_VISITS.*上访/,
      'BAD_USER_INPUT',
    ],
    [
      [
        ...V1,
        { code: 'ONLINE_POSTS', category: 'BEHAVIOR', nameZh: '发帖', nameEn: 'Political opinions online' },
      ],
      1,
      /ONLINE_POSTS.*Political/,
      'BAD_USER_INPUT',
    ],
    [
      [...V1, { code: 'PETITIONED', category: 'BEHAVIOR', nameZh: '反映问题', nameEn: 'Raised a matter' }],
      1,
      /PETITIONED/,
      'BAD_USER_INPUT',
    ],
    [
      [...V1, { code: 'OPEN_CASE', category: 'EVENT', nameZh: '有未结纠纷', nameEn: 'Open dispute' }],
      1,
      /OPEN_CASE.*EVENT/,
      'BAD_USER_INPUT',
    ],
    [[...V1, { ...V1[0]!, nameEn: 'again' }], 1, /listed twice/, 'BAD_USER_INPUT'],
    [
      V1.map((e) => (e.code === 'WITHDRAWN' ? { ...e, category: 'BEHAVIOR' } : e)),
      1,
      /WITHDRAWN.*keeps its category/,
      'BAD_USER_INPUT',
    ],
    [V1.filter((e) => e.category !== 'BEHAVIOR'), 1, /at least one BEHAVIOR/, 'BAD_USER_INPUT'],
    [
      [...V1.slice(1), { ...V1[0]!, nameZh: 'Volatile' }],
      1,
      /VOLATILE_TEMPER: the Chinese name/,
      'BAD_USER_INPUT',
    ],
    [V1, 1, /nothing to publish/, 'BAD_USER_INPUT'],
    [V2, 7, /current catalog is at version 1, not 7/, 'CONFLICT'],
  ];
  for (const [indicators, expected, message, code] of cases) {
    const result = await publish(admin, indicators, expected);
    expect(result.errors).toBeUndefined();
    expect(result.data?.publishIndicatorCatalog.catalog).toBeNull();
    const errors = result.data?.publishIndicatorCatalog.userErrors;
    expect(errors.map((e: any) => e.message).join(' | ')).toMatch(message);
    expect(errors[0].code).toBe(code);
  }
  expect(await catalogState()).toEqual(before);
});

test('only ADMIN publishes', async () => {
  for (const username of ['comprehensive_governance.leader', 'city_center.leader', 'auditor']) {
    const result = await publish(await api.login(username), V2, 1);
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  }
  expect((await catalogState()).versions).toEqual([{ version: 1, current: true }]);
});

test('when its audit entry cannot be written, nothing is published', async () => {
  const admin = await api.login('admin');
  const before = await catalogState();
  await api.dataSource.query(
    `ALTER TABLE audit_entries ADD CONSTRAINT refuse_publication CHECK (operation <> 'publishIndicatorCatalog') NOT VALID`,
  );
  try {
    const result = await publish(admin, V2, 1);
    expect(result.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  } finally {
    await api.dataSource.query(`ALTER TABLE audit_entries DROP CONSTRAINT refuse_publication`);
  }
  expect(await catalogState()).toEqual(before);
});

test('a new catalog version is used at once by assessments while an old assessment still explains itself with v1', async () => {
  const gridA = await api.node('gridA');
  const worker = await api.login('grid.worker');
  const earlier = await registerPerson(api, worker, { name: '旧评估', gridId: gridA });
  await recordAssessment(api, worker, earlier, ['WITHDRAWN', 'ERRATIC']);
  const later = await registerPerson(api, worker, { name: '新评估', gridId: gridA });

  // The replica has served assessments under v1 before the publication.
  const atReplica = await replica.login('grid.worker');
  const underV1 = await replica.gql(
    RECORD,
    { input: { personId: later, indicators: [{ code: 'WITHDRAWN' }] } },
    atReplica,
  );
  expect(underV1.data?.recordAssessment.assessment.catalogVersion).toBe(1);

  const admin = await api.login('admin');
  const published = await publish(admin, V2, 1, '删除“交往孤僻”，新增“跟踪尾随”');
  expect(published.data?.publishIndicatorCatalog.userErrors).toEqual([]);
  expect(published.data?.publishIndicatorCatalog.catalog).toMatchObject({ version: 2, current: true });

  // On the other process, at its next request: the removed code is refused, naming it …
  const refused = await replica.gql(
    RECORD,
    { input: { personId: later, indicators: [{ code: 'WITHDRAWN' }] } },
    atReplica,
  );
  expect(refused.data?.recordAssessment.assessment).toBeNull();
  expect(refused.data?.recordAssessment.userErrors).toEqual([
    {
      field: 'input.indicators.0.code',
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/WITHDRAWN is not in indicator catalog v2.*last in v1/),
    },
  ]);
  // … and the new one is taken, under v2.
  const underV2 = await replica.gql(
    RECORD,
    {
      input: {
        personId: later,
        indicators: [{ code: 'STALKING', note: '多次尾随前妻' }, { code: 'ERRATIC' }],
      },
    },
    atReplica,
  );
  expect(underV2.data?.recordAssessment.userErrors).toEqual([]);
  expect(underV2.data?.recordAssessment.assessment.catalogVersion).toBe(2);
  const newExplanation = await replica.gql(EXPLAIN, { id: later }, atReplica);
  expect(newExplanation.data?.person.tierExplanation).toMatchObject({
    catalogVersion: 2,
    indicators: [
      { code: 'ERRATIC', nameZh: '情绪反复无常' },
      { code: 'STALKING', category: 'BEHAVIOR', nameZh: '跟踪尾随、纠缠他人' },
    ],
  });

  // The assessment made under v1 still explains itself with v1, on either process, even after its
  // tier is recomputed (a dispute opens).
  await api.gql(
    `mutation($input: RegisterDisputeInput!) { registerDispute(input: $input) { dispute { id } } }`,
    {
      input: {
        category: 'NEIGHBOR',
        gridId: gridA,
        source: 'GRID_VISIT',
        description: '通行纠纷',
        parties: [{ personId: earlier, role: 'APPLICANT' }],
      },
    },
    worker,
  );
  for (const answer of [
    await api.gql(EXPLAIN, { id: earlier }, worker),
    await replica.gql(EXPLAIN, { id: earlier }, atReplica),
  ]) {
    expect(answer.data?.person.tierExplanation).toMatchObject({
      catalogVersion: 1,
      categories: ['CHARACTER', 'EVENT'],
      indicators: [
        { code: 'ERRATIC', nameZh: '反复无常' },
        { code: 'WITHDRAWN', category: 'CHARACTER', nameZh: '交往孤僻' },
      ],
    });
    expect(answer.data?.person.tierExplanation.summary).toMatch(/v1/);
  }
  const v1 = await api.gql(`{ indicatorCatalog(version: 1) { current indicators { code } } }`, {}, worker);
  expect(v1.data?.indicatorCatalog.current).toBe(false);
  expect(v1.data?.indicatorCatalog.indicators.map((i: any) => i.code)).toContain('WITHDRAWN');
  const current = await replica.gql(`{ indicatorCatalog { version notes } }`, {}, atReplica);
  expect(current.data?.indicatorCatalog).toEqual({ version: 2, notes: '删除“交往孤僻”，新增“跟踪尾随”' });

  const [entry] = await api.dataSource.query(
    `SELECT action, actor_kind, record_ids, detail FROM audit_entries WHERE operation = 'publishIndicatorCatalog'`,
  );
  expect(entry).toMatchObject({
    action: 'MUTATION',
    record_ids: ['2'],
    detail: {
      version: 2,
      previousVersion: 1,
      added: ['STALKING'],
      removed: ['WITHDRAWN'],
      renamed: ['ERRATIC'],
    },
  });
});

test('a published version is kept as published: the database refuses to change it', async () => {
  // The API's role may only add indicators; the owner is stopped by the trigger.
  await expect(
    api.runtimeDataSource.query(`UPDATE indicators SET name_zh = '改' WHERE catalog_version = 1`),
  ).rejects.toThrow(/permission denied/);
  await expect(
    api.runtimeDataSource.query(`DELETE FROM indicators WHERE catalog_version = 1`),
  ).rejects.toThrow(/permission denied/);
  await expect(
    api.dataSource.query(`UPDATE indicators SET name_zh = '改' WHERE catalog_version = 1`),
  ).rejects.toThrow(/append-only/);
  await expect(api.dataSource.query(`DELETE FROM indicators WHERE catalog_version = 1`)).rejects.toThrow(
    /append-only/,
  );
  await expect(
    api.runtimeDataSource.query(`UPDATE indicator_catalog_versions SET notes = '改' WHERE version = 1`),
  ).rejects.toThrow(/kept as published/);
});
