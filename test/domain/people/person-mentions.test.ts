// A person mentioned elsewhere (a dispute's party, an assignment's subject) reads only the summary
// columns when the query asks for id, name or tier — and is exactly as visible, and as masked, as the
// whole person.
import { startTestApi, type TestApi } from '../../support/api';
import { registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;
let disputeId: string;
let insider: string;
let outsider: string;

beforeAll(async () => {
  api = await startTestApi();
  const village = await api.login('villagea.leader');
  insider = await registerPerson(api, village, {
    name: '王甲',
    gridId: await api.node('gridA'),
    phone: '13812345678',
  });
  outsider = await registerPerson(api, village, {
    name: '李乙',
    gridId: await api.node('gridB'),
    phone: '13987654321',
  });
  disputeId = await registerDispute(api, village, {
    category: 'NEIGHBOR',
    gridId: await api.node('gridA'),
    parties: [insider, outsider],
  });
});
afterAll(() => api.close());

async function partiesAs(username: string, selection: string) {
  const result = await api.gql(
    `query($id: ID!) { dispute(id: $id) { parties { role person { ${selection} } } } }`,
    { id: disputeId },
    await api.login(username),
  );
  expect(result.errors).toBeUndefined();
  return result.data?.dispute.parties as { role: string; person: Record<string, unknown> | null }[];
}

test('a summary of a party carries its id, name and tier', async () => {
  const parties = await partiesAs('villagea.leader', 'id name tier __typename');
  expect(parties).toEqual([
    { role: 'APPLICANT', person: { id: insider, name: '王甲', tier: 'YELLOW', __typename: 'Person' } },
    { role: 'RESPONDENT', person: { id: outsider, name: '李乙', tier: 'YELLOW', __typename: 'Person' } },
  ]);
});

test('a party outside the reader’s grid is null, whether the summary or the whole person is asked', async () => {
  for (const selection of ['id name', 'id name phone']) {
    const parties = await partiesAs('grid.worker', selection);
    expect(parties.find((party) => party.role === 'RESPONDENT')?.person).toBeNull();
    expect(parties.find((party) => party.role === 'APPLICANT')?.person).toMatchObject({ id: insider });
  }
});

test('asking for more than the summary reads the whole person, and the sensitive read is audited', async () => {
  const parties = await partiesAs('villagea.leader', 'id name phone');
  expect(parties[0]?.person).toEqual({ id: insider, name: '王甲', phone: '13812345678' });
  const audited: { count: string }[] = await api.dataSource.query(
    `SELECT count(*) FROM audit_entries
      WHERE action = 'READ' AND record_type = 'Person' AND $1 = ANY(record_ids) AND 'phone' = ANY(fields)`,
    [insider],
  );
  expect(Number(audited[0]?.count)).toBeGreaterThan(0);
});

test('read through a list of persons, a dispute’s parties are as visible and as masked as read alone', async () => {
  for (const [username, selection] of [
    ['grid.worker', 'id name'],
    ['grid.worker', 'id name phone'],
    ['villagea.leader', 'id name tier'],
    ['villagea.leader', 'id name phone'],
  ] as const) {
    const token = await api.login(username);
    const listed = await api.gql(
      `query { persons(first: 100) { edges { node { id disputes { id parties { role person { ${selection} } } } } } } }`,
      {},
      token,
    );
    expect(listed.errors).toBeUndefined();
    const node = listed.data?.persons.edges.find((edge: any) => edge.node.id === insider)?.node;
    const dispute = node?.disputes.find((candidate: any) => candidate.id === disputeId);
    expect(dispute?.parties).toEqual(await partiesAs(username, selection));
  }
});
