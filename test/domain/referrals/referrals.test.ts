// Referrals and psychological files: HOPELESSNESS opens a psychological-support referral; the
// psychological file is SOCIAL_AFFAIRS's alone — invisible to POLICE and JUSTICE.
import { startTestApi, type TestApi } from '../../support/api';
import { errorCodes, recordAssessment, registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

test('recording HOPELESSNESS opens a PSYCHOLOGICAL_SUPPORT referral in the same write', async () => {
  const worker = await api.login('grid.worker');
  const person = await registerPerson(api, worker, { name: '悲观', gridId: await api.node('gridA') });
  const assessment = await recordAssessment(api, worker, person, ['HOPELESSNESS']);
  const read = await api.gql(
    `query($id: ID!) { person(id: $id) { referrals { kind status sourceAssessmentId } } }`,
    { id: person },
    worker,
  );
  expect(read.data?.person.referrals).toEqual([
    { kind: 'PSYCHOLOGICAL_SUPPORT', status: 'OPEN', sourceAssessmentId: assessment },
  ]);
  await recordAssessment(api, worker, person, ['WITHDRAWN']);
  const again = await api.gql(
    `query($id: ID!) { person(id: $id) { referrals { kind } } }`,
    { id: person },
    worker,
  );
  expect(again.data?.person.referrals).toHaveLength(1);
});

test('a psychological file is readable and writable by SOCIAL_AFFAIRS only, for ORANGE/RED persons', async () => {
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const person = await registerPerson(api, worker, {
    name: '档案',
    gridId: gridA,
    specialStatuses: ['SEVERE_MENTAL_DISORDER_WITH_INCIDENT', 'COMMUNITY_CORRECTIONS', 'DRUG_INVOLVED'],
  });
  const SAVE = `mutation($input: SavePsychologicalFileInput!) { savePsychologicalFile(input: $input) {
    psychologicalFile { interventionPlan version } userErrors { field message } } }`;
  const social = await api.login('social_affairs.worker');
  const tooEarly = await api.gql(
    SAVE,
    { input: { personId: person, interventionPlan: '每周心理疏导' } },
    social,
  );
  expect(tooEarly.data?.savePsychologicalFile.userErrors[0].field).toBe('input.personId');

  await registerDispute(api, worker, { category: 'MEDICAL', gridId: gridA, parties: [person] });
  await recordAssessment(api, worker, person, ['DEPRESSED']);
  const saved = await api.gql(
    SAVE,
    { input: { personId: person, interventionPlan: '每周心理疏导', notes: '首次访谈' } },
    social,
  );
  expect(saved.data?.savePsychologicalFile.psychologicalFile).toEqual({
    interventionPlan: '每周心理疏导',
    version: 1,
  });

  const READ = `query($id: ID!) { person(id: $id) { name psychologicalFile { interventionPlan notes } } }`;
  expect((await api.gql(READ, { id: person }, social)).data?.person.psychologicalFile.notes).toBe('首次访谈');
  await api.dataSource.query(`UPDATE persons SET tier = 'RED' WHERE id = $1`, [person]);
  for (const username of ['police.leader', 'justice.leader', 'grid.leader']) {
    const token = await api.login(username);
    const result = await api.gql(READ, { id: person }, token);
    expect(result.data?.person.name).toBe('档案');
    expect(result.data?.person.psychologicalFile).toBeNull();
    expect(errorCodes(result)).toEqual({ 'person.psychologicalFile': 'FORBIDDEN' });
  }
  const police = await api.login('police.leader');
  const write = await api.gql(
    SAVE,
    { input: { personId: person, interventionPlan: 'x', expectedVersion: 1 } },
    police,
  );
  expect(errorCodes(write)).toEqual({ savePsychologicalFile: 'FORBIDDEN' });
});
