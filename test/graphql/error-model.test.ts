// One error model (issue 22): an expected business outcome of a mutation — an illegal lifecycle step,
// a stale expectedVersion, a rule refusal — comes back as a userError with a code and a message in
// both languages, in a payload that still arrives; top-level errors are left for authentication,
// operations the caller may never run, records out of scope, limits and the unexpected.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLObjectType,
} from 'graphql';
import { BILINGUAL_MESSAGE } from '../../src/graphql/errors';
import { CONSTRAINT_MESSAGES_ZH } from '../../src/graphql/mutation';
import { buildBareSchema } from '../../src/graphql/schema';
import { startTestApi, type TestApi } from '../support/api';
import { registerDispute, registerPerson } from '../support/fixtures';

const HAN = /\p{Script=Han}/u;

describe('the model, for every mutation', () => {
  const schema = buildSchema(readFileSync(join(__dirname, '../../schema/schema.graphql'), 'utf8'));

  test('every mutation answers with a payload that carries userErrors with a code and a message', () => {
    const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});
    expect(mutations.length).toBeGreaterThan(40);
    const without = mutations.filter((mutation) => {
      const payload = getNullableType(mutation.type);
      if (!isObjectType(payload)) return true;
      const userErrors = payload.getFields().userErrors;
      if (!userErrors || !isNonNullType(userErrors.type)) return true;
      const list = userErrors.type.ofType;
      if (!isListType(list) || !isNonNullType(list.ofType)) return true;
      const problem = getNamedType(list.ofType) as GraphQLObjectType;
      const fields = problem.getFields();
      return !fields.code || !fields.message || !isNonNullType(fields.message.type);
    });
    expect(without.map((mutation) => mutation.name)).toEqual([]);
  });

  test('every class-validator rule an input uses has the Chinese half of its message', async () => {
    await buildBareSchema(); // registers every input class and its rules
    const storage = getMetadataStorage() as unknown as {
      validationMetadatas: Map<unknown, { type: string; name?: string }[]>;
    };
    const constraints = new Set<string>();
    for (const metadatas of storage.validationMetadatas.values()) {
      for (const metadata of metadatas) {
        // IsOptional adds no message; nested inputs report their own rules.
        if (metadata.type === 'conditionalValidation' || metadata.type === 'nestedValidation') continue;
        constraints.add(metadata.type === 'customValidation' ? (metadata.name ?? '?') : metadata.type);
      }
    }
    expect(constraints.size).toBeGreaterThan(10);
    expect([...constraints].filter((name) => !(name in CONSTRAINT_MESSAGES_ZH))).toEqual([]);
    for (const zh of Object.values(CONSTRAINT_MESSAGES_ZH)) expect(zh).toMatch(HAN);
  });

  /** src/**.ts, read as text. */
  function sources(directory = join(__dirname, '../../src')): { path: string; text: string }[] {
    return readdirSync(directory).flatMap((name) => {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) return sources(path);
      return path.endsWith('.ts')
        ? [{ path: path.slice(path.indexOf('src/')), text: readFileSync(path, 'utf8') }]
        : [];
    });
  }

  test('no service throws a top-level CONFLICT: a stale version or a duplicate is a userError', () => {
    const callers = sources().filter(
      ({ path, text }) => path !== 'src/graphql/errors.ts' && /\bconflict\(/.test(text),
    );
    expect(callers.map(({ path }) => path)).toEqual([]);
  });

  test('top-level FORBIDDEN is thrown only where the caller may never do it (listed with the reason)', () => {
    const allowed: Record<string, string> = {
      'src/permissions/decisions.ts': 'a status the department and position may never set',
      'src/permissions/arguments.ts': 'a filter argument the department may never use',
      'src/permissions/shield.ts': 'the shield: an operation or field the caller may never reach',
      'src/domain/imports/import.service.ts': 'a kind of record the caller may never register',
      'src/domain/people/duplicates.service.ts': 'merging, for a department that may never merge',
      'src/domain/exports/export-run.ts': 'the export, for a caller who may never export',
      'src/domain/break-glass/break-glass.service.ts':
        'break-glass, for an integration (never signed in as a person)',
    };
    const throwers = sources()
      .filter(({ path, text }) => path !== 'src/graphql/errors.ts' && /\bforbidden\(/.test(text))
      .map(({ path }) => path);
    expect(throwers.filter((path) => !(path in allowed))).toEqual([]);
  });
});

describe('through the real server', () => {
  let api: TestApi;
  let gridA: string;

  beforeAll(async () => {
    api = await startTestApi();
    gridA = await api.node('gridA');
  });
  afterAll(() => api.close());

  const STATUS = `mutation($input: ChangeDisputeStatusInput!) { changeDisputeStatus(input: $input) {
    dispute { id status version } userErrors { field message code currentVersion } } }`;

  async function newDispute(): Promise<string> {
    const worker = await api.login('grid.worker');
    const a = await registerPerson(api, worker, { name: '甲方', gridId: gridA });
    const b = await registerPerson(api, worker, { name: '乙方', gridId: gridA });
    return registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [a, b] });
  }

  async function stored(id: string) {
    const rows: { status: string; version: number }[] = await api.dataSource.query(
      `SELECT status, version FROM disputes WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async function auditCount(): Promise<number> {
    const [row] = (await api.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_entries WHERE operation = 'changeDisputeStatus'`,
    )) as { n: number }[];
    return row?.n ?? 0;
  }

  function expectRefusedInPayload(
    response: { data?: Record<string, any>; errors?: unknown[] },
    expected: { field: string; code: string; currentVersion: number | null },
  ) {
    expect(response.errors).toBeUndefined();
    const payload = response.data?.changeDisputeStatus;
    expect(payload.dispute).toBeNull();
    expect(payload.userErrors).toEqual([{ ...expected, message: expect.stringMatching(BILINGUAL_MESSAGE) }]);
  }

  test('an illegal lifecycle step is an INVALID_STATE userError and changes nothing', async () => {
    const id = await newDispute();
    const audited = await auditCount();
    const worker = await api.login('grid.worker');
    const skipped = await api.gql(
      STATUS,
      { input: { disputeId: id, status: 'RESOLVED', expectedVersion: 1 } },
      worker,
    );
    expectRefusedInPayload(skipped, { field: 'input.status', code: 'INVALID_STATE', currentVersion: null });
    expect(skipped.data?.changeDisputeStatus.userErrors[0].message).toMatch(
      /不能改为 RESOLVED.* \/ A REPORTED dispute/,
    );
    expect(await stored(id)).toEqual({ status: 'REPORTED', version: 1 });
    expect(await auditCount()).toBe(audited);
  });

  test('a stale expectedVersion is a CONFLICT userError carrying the current version, to reload', async () => {
    const id = await newDispute();
    const leader = await api.login('grid.leader');
    const accepted = await api.gql(
      STATUS,
      { input: { disputeId: id, status: 'ACCEPTED', expectedVersion: 1 } },
      leader,
    );
    expect(accepted.data?.changeDisputeStatus.dispute).toMatchObject({ status: 'ACCEPTED', version: 2 });
    const audited = await auditCount();

    const stale = await api.gql(
      STATUS,
      { input: { disputeId: id, status: 'IN_MEDIATION', expectedVersion: 1 } },
      leader,
    );
    expectRefusedInPayload(stale, { field: 'input.expectedVersion', code: 'CONFLICT', currentVersion: 2 });
    expect(await stored(id)).toEqual({ status: 'ACCEPTED', version: 2 });
    expect(await auditCount()).toBe(audited);

    // The version it carried is the one that works.
    const retried = await api.gql(
      STATUS,
      {
        input: {
          disputeId: id,
          status: 'IN_MEDIATION',
          expectedVersion: stale.data?.changeDisputeStatus.userErrors[0].currentVersion,
        },
      },
      leader,
    );
    expect(retried.data?.changeDisputeStatus).toMatchObject({
      dispute: { status: 'IN_MEDIATION', version: 3 },
      userErrors: [],
    });
  });

  test('a rule refusal (only the leader of the dispute’s own grid accepts it) is a NOT_ALLOWED userError', async () => {
    const id = await newDispute();
    const audited = await auditCount();
    const villageLeader = await api.login('villagea.leader');
    const refused = await api.gql(
      STATUS,
      { input: { disputeId: id, status: 'ACCEPTED', expectedVersion: 1 } },
      villageLeader,
    );
    expectRefusedInPayload(refused, { field: 'input.status', code: 'NOT_ALLOWED', currentVersion: null });
    expect(refused.data?.changeDisputeStatus.userErrors[0].message).toMatch(
      /网格长.* \/ Only the leader of the dispute's own grid/,
    );
    expect(await stored(id)).toEqual({ status: 'REPORTED', version: 1 });
    expect(await auditCount()).toBe(audited);
  });

  test('top-level errors stay for what the caller may never do and for records out of scope, with no version', async () => {
    const id = await newDispute();
    const worker = await api.login('grid.worker');
    const never = await api.gql(
      STATUS,
      { input: { disputeId: id, status: 'ACCEPTED', expectedVersion: 1 } },
      worker,
    );
    expect(never.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);

    // Out of scope and stale: answered as a made-up id would be, never with the record's version.
    const outside = await api.login('gridc.worker');
    const stale = await api.gql(
      STATUS,
      { input: { disputeId: id, status: 'IN_MEDIATION', expectedVersion: 7 } },
      outside,
    );
    const madeUp = await api.gql(
      STATUS,
      {
        input: {
          disputeId: '00000000-0000-4000-8000-000000000000',
          status: 'IN_MEDIATION',
          expectedVersion: 7,
        },
      },
      outside,
    );
    expect(stale.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(stale.errors?.[0]?.message).toBe(madeUp.errors?.[0]?.message);
    expect(JSON.stringify(stale)).not.toMatch(/currentVersion/);
    expect(await stored(id)).toEqual({ status: 'REPORTED', version: 1 });
  });

  test('input problems from both checking layers are bilingual too', async () => {
    const worker = await api.login('grid.worker');
    // class-validator: not an id this API issued.
    const badId = await api.gql(
      STATUS,
      { input: { disputeId: 'not-an-id', status: 'RESOLVED', expectedVersion: 1 } },
      worker,
    );
    expect(badId.data?.changeDisputeStatus.userErrors).toEqual([
      {
        field: 'input.disputeId',
        code: 'BAD_USER_INPUT',
        currentVersion: null,
        message: expect.stringMatching(BILINGUAL_MESSAGE),
      },
    ]);
    // The input hygiene layer: a bidirectional override in free text.
    const hostile = await api.gql(
      `mutation($input: RegisterDisputeInput!) { registerDispute(input: $input) { dispute { id } userErrors { field message code } } }`,
      {
        input: {
          category: 'NEIGHBOR',
          gridId: gridA,
          source: 'GRID_VISIT',
          description: 'abc\u202Edef',
          parties: [{ personId: '00000000-0000-4000-8000-000000000000', role: 'APPLICANT' }],
        },
      },
      worker,
    );
    expect(hostile.data?.registerDispute.userErrors).toEqual([
      {
        field: 'input.description',
        code: 'BAD_USER_INPUT',
        message: expect.stringMatching(BILINGUAL_MESSAGE),
      },
    ]);
  });
});
