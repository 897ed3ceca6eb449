// One record per person (SPEC §5a, issue 21 item 5), through the real API: a known national ID number
// is refused — with the existing person's id only to a caller who sees that person and reads their
// number, otherwise with exactly the answer an invalid number gets (SPEC §4: no existence signal, no
// oracle) — even when registrations race; similarPersons finds homophones and near-namesakes within
// the caller's scope; mergePersons, by the grid leader, keeps both histories, recomputes the tier, is
// audited with the change, and leaves nothing referring to the merged-away record.
import { PERSON_REFERENCES } from '../../../src/domain/people/duplicates.service';
import { nameSearchKey } from '../../../src/domain/people/rules';
import { startTestApi, type GraphQLResponse, type TestApi } from '../../support/api';
import {
  errorCodes,
  recordAssessment,
  recordFollowUp,
  registerDispute,
  registerPerson,
} from '../../support/fixtures';

let api: TestApi;
let gridA: string;
let gridB: string;

beforeAll(async () => {
  api = await startTestApi();
  gridA = await api.node('gridA');
  gridB = await api.node('gridB');
});
afterAll(() => api.close());

/** 18-character numbers with their GB 11643 check character, all born 1980-01-01 unless named. */
const KNOWN = '330102198001011272';
const WRONG_CHECK = '330102198001011273';
const RACED = '330102198505051235';
const LEGACY = '33010219800101107X';

const REGISTER = `mutation($input: RegisterPersonInput!) {
  registerPerson(input: $input) { person { id } existingPersonId userErrors { field message code } } }`;
const UPDATE = `mutation($input: UpdatePersonInput!) {
  updatePerson(input: $input) { person { id } existingPersonId userErrors { field message code } } }`;

/** All a caller observes of an answer: status, data, errors. */
const observed = (result: GraphQLResponse) => ({
  status: result.status,
  data: result.data ?? null,
  errors: result.errors ?? [],
});

async function personCount(): Promise<number> {
  const [row] = (await api.dataSource.query(`SELECT count(*)::int AS n FROM persons`)) as { n: number }[];
  return row?.n ?? 0;
}

describe('a known national ID number', () => {
  let existing: string;

  beforeAll(async () => {
    existing = await registerPerson(api, await api.login('grid.worker'), {
      name: '身份证甲',
      gridId: gridA,
      birthDate: '1980-01-01',
      idNumber: KNOWN,
    });
  });

  test('is refused with the existing person’s id for a caller who sees them and reads their number', async () => {
    const before = await personCount();
    const result = await api.gql(
      REGISTER,
      { input: { name: '身份证甲二', gridId: gridA, idNumber: KNOWN } },
      await api.login('grid.worker'),
    );
    expect(result.data?.registerPerson).toEqual({
      person: null,
      existingPersonId: existing,
      userErrors: [{ field: 'input.idNumber', message: expect.stringContaining(existing), code: 'CONFLICT' }],
    });
    expect(await personCount()).toBe(before);
  });

  test.each([
    ['a grid worker of another grid, who does not see the person', 'gridb.worker', gridB],
    [
      'a street coordinator who sees the person but reads ID numbers masked',
      'comprehensive_governance.worker',
      null,
    ],
  ])('gets exactly the answer an invalid number gets for %s', async (_label, username, grid) => {
    const token = await api.login(username);
    const gridId = grid ?? gridB;
    const before = await personCount();
    const ask = (idNumber: string) =>
      api.gql(REGISTER, { input: { name: '身份证乙', gridId, idNumber } }, token);
    const known = observed(await ask(KNOWN));
    expect(known).toEqual(observed(await ask(WRONG_CHECK)));
    expect(known).toEqual(observed(await ask('12345')));
    expect(known.data).toEqual({
      registerPerson: {
        person: null,
        existingPersonId: null,
        userErrors: [{ field: 'input.idNumber', message: expect.any(String), code: 'BAD_USER_INPUT' }],
      },
    });
    expect(JSON.stringify(known)).not.toContain(existing);
    expect(await personCount()).toBe(before);
  });

  test('an update to a known number answers the same way, and changes nothing', async () => {
    const mine = await registerPerson(api, await api.login('grid.worker'), { name: '改号甲', gridId: gridA });
    const visible = await api.gql(
      UPDATE,
      { input: { id: mine, expectedVersion: 1, idNumber: KNOWN } },
      await api.login('grid.worker'),
    );
    expect(visible.data?.updatePerson).toEqual({
      person: null,
      existingPersonId: existing,
      userErrors: [{ field: 'input.idNumber', message: expect.stringContaining(existing), code: 'CONFLICT' }],
    });
    const other = await api.login('gridb.worker');
    const theirs = await registerPerson(api, other, { name: '改号乙', gridId: gridB });
    const ask = (idNumber: string) =>
      api.gql(UPDATE, { input: { id: theirs, expectedVersion: 1, idNumber } }, other);
    expect(observed(await ask(KNOWN))).toEqual(observed(await ask(WRONG_CHECK)));
    const rows = (await api.dataSource.query(`SELECT id_number, version FROM persons WHERE id = ANY($1)`, [
      [mine, theirs],
    ])) as { id_number: string | null; version: number }[];
    expect(rows).toEqual([
      { id_number: null, version: 1 },
      { id_number: null, version: 1 },
    ]);
  });

  test('an update that keeps the person’s own number is no duplicate', async () => {
    const result = await api.gql(
      UPDATE,
      { input: { id: existing, expectedVersion: 1, idNumber: KNOWN, phone: '13800001111' } },
      await api.login('grid.worker'),
    );
    expect(result.data?.updatePerson.userErrors).toEqual([]);
  });

  test('is compared in its normalised form: a legacy lower-case x is the same number', async () => {
    await api.dataSource.query(
      `INSERT INTO persons (name, gender, grid_id, residency, id_number) VALUES ('旧档', 'UNKNOWN', $1, 'REGISTERED', $2)`,
      [gridA, ` ${LEGACY.toLowerCase()}`],
    );
    const result = await api.gql(
      REGISTER,
      { input: { name: '新档', gridId: gridA, idNumber: LEGACY } },
      await api.login('grid.worker'),
    );
    expect(result.data?.registerPerson.userErrors[0]).toMatchObject({
      field: 'input.idNumber',
      code: 'CONFLICT',
    });
  });
});

describe('concurrent registrations of one number', () => {
  const race = async (idNumber: string, name: string) => {
    const token = await api.login('grid.worker');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        api.gql(REGISTER, { input: { name: `${name}${index}`, gridId: gridA, idNumber } }, token),
      ),
    );
    const [{ n }] = (await api.dataSource.query(
      `SELECT count(*)::int AS n FROM persons WHERE upper(btrim(id_number)) = $1`,
      [idNumber],
    )) as [{ n: number }];
    return { n, results };
  };

  test('end with one person, and every other registration told who it is', async () => {
    const { n, results } = await race(RACED, '并发');
    expect(n).toBe(1);
    const created = results.filter((result) => result.data?.registerPerson.person);
    expect(created).toHaveLength(1);
    const id = created[0]?.data?.registerPerson.person.id;
    for (const result of results.filter((r) => !r.data?.registerPerson.person)) {
      expect(result.data?.registerPerson).toMatchObject({
        existingPersonId: id,
        userErrors: [{ code: 'CONFLICT' }],
      });
    }
  });

  test('end with one person also where the index is not unique (a database that held duplicates)', async () => {
    await api.dataSource.query(`DROP INDEX persons_id_number_normalised`);
    await api.dataSource.query(
      `CREATE INDEX persons_id_number_normalised ON persons ((upper(btrim(id_number))))
        WHERE id_number IS NOT NULL AND btrim(id_number) <> ''`,
    );
    try {
      const { n } = await race('330102199007071115', '无唯一');
      expect(n).toBe(1);
    } finally {
      await api.dataSource.query(`DROP INDEX persons_id_number_normalised`);
      await api.dataSource.query(
        `CREATE UNIQUE INDEX persons_id_number_normalised ON persons ((upper(btrim(id_number))))
          WHERE id_number IS NOT NULL AND btrim(id_number) <> ''`,
      );
    }
  });
});

describe('similarPersons', () => {
  const SIMILAR = `query($name: String!, $birthYear: Int, $first: Int) {
    similarPersons(name: $name, birthYear: $birthYear, first: $first) { id name idNumber birthDate ageGroup } }`;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const worker = await api.login('grid.worker');
    for (const [key, name, birthDate] of [
      ['zhangSan', '张三', '1980-03-04'],
      ['homophone', '章三', '1980-07-08'],
      ['oneCharacter', '张叁', '1980-11-12'],
      ['longer', '张三丰', '1980-05-06'],
      ['otherYear', '张三', '1970-01-02'],
      ['undated', '张山', null],
      ['unrelated', '李四', '1980-01-02'],
      ['latin', 'John Smith', '1980-01-03'],
    ] as const) {
      ids[key] = await registerPerson(api, worker, { name, gridId: gridA, birthDate });
    }
    ids.otherGrid = await registerPerson(api, await api.login('gridb.worker'), {
      name: '张三',
      gridId: gridB,
      birthDate: '1980-01-01',
    });
  });

  test('the database’s C locale makes no trigrams of Chinese characters; the romanised name has them', async () => {
    const [row] = (await api.dataSource.query(
      `SELECT show_trgm('张三') AS chinese, show_trgm($1) AS romanised, similarity('张三', '章三') AS characters,
              similarity($1, $2) AS pinyin`,
      [nameSearchKey('张三'), nameSearchKey('章三')],
    )) as { chinese: string[]; romanised: string[]; characters: number; pinyin: number }[];
    expect(row?.chinese).toEqual([]);
    expect(row?.romanised.length).toBeGreaterThan(0);
    expect(row?.characters).toBe(0);
    expect(row?.pinyin).toBe(1);
    expect(nameSearchKey('单雄信')).toBe('shan xiong xin');
    expect(nameSearchKey('吕布')).toBe('lv bu');
    const [stored] = (await api.dataSource.query(`SELECT name_search FROM persons WHERE id = $1`, [
      ids.homophone,
    ])) as { name_search: string }[];
    expect(stored?.name_search).toBe('zhang san');
  });

  test('finds homophones and near-namesakes born that year within the caller’s scope, closest first', async () => {
    const result = await api.gql(SIMILAR, { name: '张三', birthYear: 1980 }, await api.login('grid.worker'));
    expect(result.errors).toBeUndefined();
    const found = (result.data?.similarPersons as { id: string }[]).map((person) => person.id);
    expect(found[0]).toBe(ids.zhangSan);
    expect(found).toEqual(
      expect.arrayContaining([ids.zhangSan, ids.homophone, ids.oneCharacter, ids.longer, ids.undated]),
    );
    // another birth year, another name, another grid (out of scope): not listed
    for (const key of ['otherYear', 'unrelated', 'otherGrid', 'latin']) expect(found).not.toContain(ids[key]);
    // a record of the year ranks above one of unknown birth date
    expect(found.indexOf(ids.undated!)).toBeGreaterThan(found.indexOf(ids.oneCharacter!));

    const anyYear = await api.gql(SIMILAR, { name: '张三' }, await api.login('grid.worker'));
    expect((anyYear.data?.similarPersons as { id: string }[]).map((person) => person.id)).toContain(
      ids.otherYear,
    );
    const latin = await api.gql(SIMILAR, { name: 'Jon Smith' }, await api.login('grid.worker'));
    expect((latin.data?.similarPersons as { id: string }[]).map((person) => person.id)).toEqual([ids.latin]);
  });

  test('returns persons masked as for the caller, and a birth year only to those who read birth dates', async () => {
    const coordinator = await api.login('comprehensive_governance.worker');
    const masked = await api.gql(
      `query { similarPersons(name: "章三") { id name idNumber ageGroup } }`,
      {},
      coordinator,
    );
    expect(masked.errors).toBeUndefined();
    expect((masked.data?.similarPersons as { id: string }[]).map((person) => person.id)).toEqual(
      expect.arrayContaining([ids.zhangSan, ids.otherGrid]),
    );
    const numbered = await api.gql(
      `query { similarPersons(name: "身份证甲") { name idNumber age ageGroup } }`,
      {},
      coordinator,
    );
    expect(numbered.data?.similarPersons).toContainEqual({
      name: '身份证甲',
      idNumber: '**************1272',
      age: null,
      ageGroup: 'ADULT',
    });
    expect(
      new Set(
        Object.entries(errorCodes(numbered)).map(([path, code]) => `${path.replace(/\d+/, 'N')} ${code}`),
      ),
    ).toEqual(new Set(['similarPersons.N.age FORBIDDEN']));
    const byYear = await api.gql(SIMILAR, { name: '张三', birthYear: 1980 }, coordinator);
    expect(errorCodes(byYear)).toEqual({ similarPersons: 'FORBIDDEN' });
    const outsider = await api.gql(SIMILAR, { name: '张三' }, await api.login('petitions.worker'));
    expect(errorCodes(outsider)).toEqual({ similarPersons: 'FORBIDDEN' });
  });

  test('refuses an empty name and an impossible birth year as BAD_USER_INPUT', async () => {
    const worker = await api.login('grid.worker');
    expect(errorCodes(await api.gql(SIMILAR, { name: ' ' }, worker))).toEqual({
      similarPersons: 'BAD_USER_INPUT',
    });
    expect(errorCodes(await api.gql(SIMILAR, { name: '张三', birthYear: 1800 }, worker))).toEqual({
      similarPersons: 'BAD_USER_INPUT',
    });
  });
});

describe('mergePersons', () => {
  const MERGE = `mutation($input: MergePersonsInput!) {
    mergePersons(input: $input) { person { id version tier phone } userErrors { field message code } } }`;
  let keep: string;
  let merged: string;
  /** Rows referring to either record, per table.column, before the merge. */
  let before: Record<string, number>;
  const keyOfMerged = 'merge-registration-1';

  const referenceCounts = async (personIds: string[]) => {
    const counts: Record<string, number> = {};
    for (const { table, column } of PERSON_REFERENCES) {
      const [row] = (await api.dataSource.query(
        `SELECT count(*)::int AS n FROM ${table} WHERE ${column} = ANY($1)`,
        [personIds],
      )) as { n: number }[];
      counts[`${table}.${column}`] = row?.n ?? 0;
    }
    return counts;
  };

  const gql = async (query: string, input: object, username: string) => {
    const result = await api.gql(query, { input }, await api.login(username));
    const payload = Object.values(result.data ?? {})[0] as { userErrors?: unknown[] } | undefined;
    if (result.errors || (payload?.userErrors?.length ?? 0) > 0)
      throw new Error(`${query.slice(0, 60)} failed: ${JSON.stringify(result)}`);
    return payload as Record<string, { id: string }>;
  };

  beforeAll(async () => {
    const worker = await api.login('grid.worker');
    keep = await registerPerson(api, worker, {
      name: '合并甲',
      gridId: gridA,
      birthDate: '1975-03-03',
      idNumber: '330102197503031316',
    });
    const registered = await gql(
      REGISTER,
      {
        name: '合并甲',
        gridId: gridA,
        phone: '13900002222',
        specialStatuses: ['DRUG_INVOLVED'],
        idempotencyKey: keyOfMerged,
      },
      'grid.worker',
    );
    merged = registered.person!.id;
    const other = await registerPerson(api, worker, { name: '对方', gridId: gridA });
    // A dispute of each, one of both, a police call that POLICE and SOCIAL_AFFAIRS see (MEDICAL).
    await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [keep, other] });
    await registerDispute(api, worker, { category: 'FAMILY', gridId: gridA, parties: [merged, keep] });
    await registerDispute(api, worker, {
      category: 'MEDICAL',
      source: 'POLICE_CALL',
      gridId: gridA,
      parties: [merged],
    });
    await recordAssessment(api, worker, merged, ['THREATENED_HARM']);
    await recordFollowUp(api, worker, merged);
    await recordFollowUp(api, worker, keep);
    const [{ id: leaderId }] = (await api.dataSource.query(
      `SELECT id FROM users WHERE username = 'grid.leader'`,
    )) as [{ id: string }];
    for (const personId of [keep, merged]) {
      await gql(
        `mutation($input: AssignInput!) { assign(input: $input) { assignment { id } userErrors { message } } }`,
        { personId, responsibleDepartmentCode: 'GRID', responsiblePersonId: leaderId, measures: '走访' },
        'grid.leader',
      );
    }
    await gql(
      `mutation($input: CreateReferralInput!) { createReferral(input: $input) { referral { id } userErrors { message } } }`,
      { personId: merged, kind: 'LEGAL_AID', reason: '法律援助' },
      'grid.worker',
    );
    await gql(
      `mutation($input: RequestTierChangeInput!) { requestTierChange(input: $input) { request { id } userErrors { message } } }`,
      { personId: merged, toTier: 'RED', reason: '多次扬言' },
      'grid.worker',
    );
    await gql(
      `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id } userErrors { message } } }`,
      { personId: merged, description: '情绪激动' },
      'grid.worker',
    );
    await gql(
      `mutation($input: AddPoliceRecordInput!) { addPoliceRecord(input: $input) { policeRecord { id } userErrors { message } } }`,
      { personId: merged, kind: 'POLICE_CALL', summary: '出警', occurredOn: '2026-10-01' },
      'police.worker',
    );
    await gql(
      `mutation($input: SavePsychologicalFileInput!) { savePsychologicalFile(input: $input) { psychologicalFile { id } userErrors { message } } }`,
      { personId: merged, interventionPlan: '每周心理疏导', notes: '' },
      'social_affairs.worker',
    );
    await gql(
      `mutation($input: ReportInjuryInput!) { reportInjury(input: $input) { injuryReport { id } userErrors { message } } }`,
      { facility: '镇卫生院', cause: 'KNIFE', description: '刀伤', gridId: gridA, suspectPersonId: merged },
      'social_affairs.worker',
    );
    before = await referenceCounts([keep, merged]);
  });

  const input = (keepVersion: number, mergeVersion: number) => ({
    keepPersonId: keep,
    keepExpectedVersion: keepVersion,
    mergePersonId: merged,
    mergeExpectedVersion: mergeVersion,
  });
  const versions = async () => {
    const rows = (await api.dataSource.query(`SELECT id, version FROM persons WHERE id = ANY($1)`, [
      [keep, merged],
    ])) as { id: string; version: number }[];
    return Object.fromEntries(rows.map((row) => [row.id, row.version]));
  };

  test('is decided by the leader of the persons’ own grid only', async () => {
    const v = await versions();
    const current = input(v[keep]!, v[merged]!);
    expect(errorCodes(await api.gql(MERGE, { input: current }, await api.login('grid.worker')))).toEqual({
      mergePersons: 'FORBIDDEN',
    });
    expect(
      errorCodes(
        await api.gql(MERGE, { input: current }, await api.login('comprehensive_governance.leader')),
      ),
    ).toEqual({ mergePersons: 'FORBIDDEN' });
    // The leader of another grid does not see them: as for a made-up id.
    expect(errorCodes(await api.gql(MERGE, { input: current }, await api.login('gridb.leader')))).toEqual({
      mergePersons: 'NOT_FOUND',
    });
    expect(await versions()).toEqual(v);
  });

  test('refuses a stale version with CONFLICT and a record merged into itself', async () => {
    const v = await versions();
    const leader = await api.login('grid.leader');
    const stale = await api.gql(MERGE, { input: input(v[keep]! + 5, v[merged]!) }, leader);
    expect(stale.data?.mergePersons.userErrors).toEqual([
      { field: 'input.keepExpectedVersion', message: expect.any(String), code: 'CONFLICT' },
    ]);
    expect(await versions()).toEqual(v);
    const self = await api.gql(MERGE, { input: { ...input(1, 1), mergePersonId: keep } }, leader);
    expect(self.data?.mergePersons.userErrors).toEqual([
      { field: 'input.mergePersonId', message: expect.any(String), code: 'BAD_USER_INPUT' },
    ]);
  });

  test('keeps both histories on the kept record, recomputes its tier and removes the other', async () => {
    const v = await versions();
    const leader = await api.login('grid.leader');
    const [{ n: auditBefore }] = (await api.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_entries WHERE operation = 'mergePersons'`,
    )) as [{ n: number }];
    const result = await api.gql(MERGE, { input: input(v[keep]!, v[merged]!) }, leader);
    expect(result.errors).toBeUndefined();
    expect(result.data?.mergePersons.userErrors).toEqual([]);
    // Three element categories would be RED; BEHAVIOR (the merged record's assessment) + EVENT: ORANGE.
    expect(result.data?.mergePersons.person).toMatchObject({
      id: keep,
      tier: 'ORANGE',
      phone: '13900002222',
    });

    const after = await referenceCounts([keep, merged]);
    const onMerged = await referenceCounts([merged]);
    expect(Object.values(onMerged).every((n) => n === 0)).toBe(true);
    // Every row is kept, but the merged record's party row of the dispute both were party to; the
    // merge is remembered (person_merges); a rise of the tier may propose a default team (assignments).
    for (const [key, count] of Object.entries(before)) {
      if (key === 'dispute_parties.person_id') expect([key, after[key]]).toEqual([key, count - 1]);
      else if (key === 'person_merges.kept_person_id') expect([key, after[key]]).toEqual([key, count + 1]);
      else if (key === 'assignments.person_id') expect(after[key]).toBeGreaterThanOrEqual(count);
      else expect([key, after[key]]).toEqual([key, count]);
    }
    const [row] = (await api.dataSource.query(
      `SELECT special_statuses, phone, id_number, version FROM persons WHERE id = $1`,
      [keep],
    )) as { special_statuses: string[]; phone: string; id_number: string; version: number }[];
    expect(row).toEqual({
      special_statuses: ['DRUG_INVOLVED'],
      phone: '13900002222',
      id_number: '330102197503031316',
      version: v[keep]! + 1,
    });
    expect(await api.dataSource.query(`SELECT 1 FROM persons WHERE id = $1`, [merged])).toEqual([]);
    // Its open tier change request lapsed (it was asked on half the history), and moved.
    const requests = (await api.dataSource.query(
      `SELECT status FROM tier_change_requests WHERE person_id = $1`,
      [keep],
    )) as { status: string }[];
    expect(requests).toEqual([{ status: 'SUPERSEDED' }]);
    // One current assignment.
    const [{ n: active }] = (await api.dataSource.query(
      `SELECT count(*)::int AS n FROM assignments WHERE person_id = $1 AND active`,
      [keep],
    )) as [{ n: number }];
    expect(active).toBe(1);

    // Audited in the same transaction, naming both records.
    const entries = (await api.dataSource.query(
      `SELECT record_ids, detail FROM audit_entries WHERE operation = 'mergePersons' ORDER BY seq`,
    )) as { record_ids: string[]; detail: { keptPersonId: string; mergedPersonId: string } }[];
    expect(entries).toHaveLength(auditBefore + 1);
    expect(entries.at(-1)?.record_ids.slice(0, 2)).toEqual([keep, merged]);
    expect(entries.at(-1)?.detail).toMatchObject({ keptPersonId: keep, mergedPersonId: merged });

    // The merged id is gone from the API, as any id that names nothing.
    const read = await api.gql(`query($id: ID!) { person(id: $id) { id } }`, { id: merged }, leader);
    expect(errorCodes(read)).toEqual({ person: 'NOT_FOUND' });
    // POLICE still see the police record, now on the kept record.
    const police = await api.gql(
      `query($id: ID!) { person(id: $id) { policeRecords { summary } } }`,
      { id: keep },
      await api.login('police.worker'),
    );
    expect(police.data?.person.policeRecords).toEqual([{ summary: '出警' }]);
  });

  test('a retried merge answers the same and writes nothing; a retried registration names the kept record', async () => {
    const leader = await api.login('grid.leader');
    const mutations = async () =>
      (
        (await api.dataSource.query(
          `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'MUTATION'`,
        )) as [{ n: number }]
      )[0].n;
    const auditBefore = await mutations();
    const personsBefore = await personCount();
    const again = await api.gql(MERGE, { input: input(1, 1) }, leader);
    expect(again.data?.mergePersons).toMatchObject({ person: { id: keep }, userErrors: [] });
    const replay = await gql(
      REGISTER,
      {
        name: '合并甲',
        gridId: gridA,
        phone: '13900002222',
        specialStatuses: ['DRUG_INVOLVED'],
        idempotencyKey: keyOfMerged,
      },
      'grid.worker',
    );
    expect(replay.person?.id).toBe(keep);
    expect(await mutations()).toBe(auditBefore);
    expect(await personCount()).toBe(personsBefore);
  });

  test('refuses two records with different ID numbers', async () => {
    const worker = await api.login('grid.worker');
    const a = await registerPerson(api, worker, {
      name: '异号甲',
      gridId: gridA,
      idNumber: '330102199007071131',
    });
    const b = await registerPerson(api, worker, {
      name: '异号乙',
      gridId: gridA,
      idNumber: '330102198505051251',
    });
    const result = await api.gql(
      MERGE,
      { input: { keepPersonId: a, keepExpectedVersion: 1, mergePersonId: b, mergeExpectedVersion: 1 } },
      await api.login('grid.leader'),
    );
    expect(result.data?.mergePersons.userErrors).toEqual([
      {
        field: 'input.mergePersonId',
        message: expect.stringContaining('different ID numbers'),
        code: 'BAD_USER_INPUT',
      },
    ]);
  });

  test('two psychological files become one, the merged one written into the kept one’s notes', async () => {
    const worker = await api.login('grid.worker');
    const a = await registerPerson(api, worker, { name: '档案甲', gridId: gridA });
    const b = await registerPerson(api, worker, { name: '档案甲', gridId: gridA });
    const [{ id: author }] = (await api.dataSource.query(
      `SELECT id FROM users WHERE username = 'social_affairs.worker'`,
    )) as [{ id: string }];
    for (const [personId, plan, notes] of [
      [a, '每周疏导', '情绪平稳'],
      [b, '每月家访', '家属配合'],
    ]) {
      await api.dataSource.query(
        `INSERT INTO psychological_files (person_id, intervention_plan, notes, updated_by_id) VALUES ($1, $2, $3, $4)`,
        [personId, plan, notes, author],
      );
    }
    const result = await api.gql(
      MERGE,
      { input: { keepPersonId: a, keepExpectedVersion: 1, mergePersonId: b, mergeExpectedVersion: 1 } },
      await api.login('grid.leader'),
    );
    expect(result.data?.mergePersons.userErrors).toEqual([]);
    const files = (await api.dataSource.query(
      `SELECT person_id, intervention_plan, notes, version FROM psychological_files WHERE person_id = ANY($1)`,
      [[a, b]],
    )) as { person_id: string; intervention_plan: string; notes: string; version: number }[];
    expect(files).toEqual([
      {
        person_id: a,
        intervention_plan: '每周疏导',
        notes: '情绪平稳\n\n【合并档案 / From the merged record】\n每月家访\n家属配合',
        version: 2,
      },
    ]);
  });

  test('PERSON_REFERENCES names every foreign key to persons, so no history is left behind', async () => {
    const keys = (await api.dataSource.query(`
      SELECT c.conrelid::regclass::text AS "table", a.attname AS "column"
        FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
       WHERE c.contype = 'f' AND c.confrelid = 'persons'::regclass
       ORDER BY 1, 2`)) as { table: string; column: string }[];
    expect(
      PERSON_REFERENCES.map(({ table, column }) => ({ table, column })).sort((x, y) =>
        `${x.table}.${x.column}`.localeCompare(`${y.table}.${y.column}`),
      ),
    ).toEqual(keys);
  });
});
