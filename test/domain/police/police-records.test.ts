// Police records are POLICE's: COMPREHENSIVE_GOVERNANCE sees only that one exists, the grid sees
// nothing, and every read of a record's summary is audited.
import { startTestApi, type TestApi } from '../../support/api';
import { errorCodes, registerPerson } from '../../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

test('POLICE keep records; others see at most that one exists', async () => {
  const worker = await api.login('grid.worker');
  const person = await registerPerson(api, worker, {
    name: '有前科',
    gridId: await api.node('gridA'),
    specialStatuses: ['DRUG_INVOLVED'],
  });
  const police = await api.login('police.worker');
  const added = await api.gql(
    `mutation($input: AddPoliceRecordInput!) { addPoliceRecord(input: $input) { policeRecord { kind summary } userErrors { field } } }`,
    {
      input: {
        personId: person,
        kind: 'POLICE_CALL',
        summary: '因邻里纠纷报警，现场调解',
        occurredOn: '2026-10-20',
      },
    },
    police,
  );
  expect(added.data?.addPoliceRecord.policeRecord).toEqual({
    kind: 'POLICE_CALL',
    summary: '因邻里纠纷报警，现场调解',
  });

  const READ = `query($id: ID!) { person(id: $id) { name hasPoliceRecord policeRecords { summary } } }`;
  const before: unknown[] = await api.dataSource.query(
    `SELECT 1 FROM audit_entries WHERE record_type = 'PoliceRecord' AND action = 'READ'`,
  );
  const asPolice = await api.gql(READ, { id: person }, police);
  expect(asPolice.data?.person).toEqual({
    name: '有前科',
    hasPoliceRecord: true,
    policeRecords: [{ summary: '因邻里纠纷报警，现场调解' }],
  });
  const after: unknown[] = await api.dataSource.query(
    `SELECT 1 FROM audit_entries WHERE record_type = 'PoliceRecord' AND action = 'READ'`,
  );
  expect(after.length).toBe(before.length + 1);

  const governance = await api.login('comprehensive_governance.worker');
  const asGovernance = await api.gql(READ, { id: person }, governance);
  expect(asGovernance.data?.person).toEqual({ name: '有前科', hasPoliceRecord: true, policeRecords: null });
  expect(errorCodes(asGovernance)).toEqual({ 'person.policeRecords': 'FORBIDDEN' });

  const asGrid = await api.gql(READ, { id: person }, worker);
  expect(asGrid.data?.person).toEqual({ name: '有前科', hasPoliceRecord: null, policeRecords: null });
  expect(errorCodes(asGrid)).toEqual({
    'person.hasPoliceRecord': 'FORBIDDEN',
    'person.policeRecords': 'FORBIDDEN',
  });

  const refused = await api.gql(
    `mutation($input: AddPoliceRecordInput!) { addPoliceRecord(input: $input) { policeRecord { id } } }`,
    { input: { personId: person, kind: 'PRIOR_RECORD', summary: 'x', occurredOn: '2026-10-20' } },
    worker,
  );
  expect(errorCodes(refused)).toEqual({ addPoliceRecord: 'FORBIDDEN' });
});
