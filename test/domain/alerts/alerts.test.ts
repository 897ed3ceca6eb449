// Alerts go to the recipients the person's tier names and to no one else; injury reports reach
// POLICE at once.
import { startTestApi, type TestApi } from '../../support/api';
import { errorCodes, recordAssessment, registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const MINE = `query($only: Boolean!) { myAlerts(unacknowledgedOnly: $only) { edges { node { acknowledgedAt alert { id kind description person { name } } } } } }`;

async function alertsOf(username: string, only = true): Promise<any[]> {
  const token = await api.login(username);
  return ((await api.gql(MINE, { only }, token)).data?.myAlerts?.edges ?? []).map((edge: any) => edge.node);
}

test('a YELLOW alert reaches the grid leader and community police; a RED one also the street and city', async () => {
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const yellow = await registerPerson(api, worker, { name: '黄苗头', gridId: gridA });
  await recordAssessment(api, worker, yellow, ['WITHDRAWN']);
  const RAISE = `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id tierAtRaise } userErrors { message } } }`;
  const raised = await api.gql(
    RAISE,
    { input: { personId: yellow, description: '扬言要找对方算账' } },
    worker,
  );
  expect(raised.data?.raiseAlert.alert.tierAtRaise).toBe('YELLOW');
  const alertId = raised.data?.raiseAlert.alert.id;

  expect((await alertsOf('grid.leader')).map((a) => a.alert.id)).toEqual([alertId]);
  expect((await alertsOf('police.worker')).map((a) => a.alert.id)).toEqual([alertId]);
  for (const outsider of [
    'gridb.leader',
    'comprehensive_governance.leader',
    'city_center.leader',
    'civil_affairs.worker',
  ]) {
    expect(await alertsOf(outsider)).toEqual([]);
  }

  const red = await registerPerson(api, worker, { name: '红苗头', gridId: gridA });
  await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [red] });
  await recordAssessment(api, worker, red, ['VOLATILE_TEMPER', 'WEAPON_OR_HAZARD']);
  const redAlert = await api.gql(RAISE, { input: { personId: red, description: '购买汽油' } }, worker);
  const redId = redAlert.data?.raiseAlert.alert.id;
  for (const recipient of [
    'grid.leader',
    'police.worker',
    'comprehensive_governance.leader',
    'city_center.leader',
    'police.leader',
  ]) {
    expect((await alertsOf(recipient)).map((a) => a.alert.id)).toContain(redId);
  }
  expect((await alertsOf('gridb.leader')).map((a) => a.alert.id)).not.toContain(redId);

  const leader = await api.login('grid.leader');
  const ACK = `mutation($input: AcknowledgeAlertInput!) { acknowledgeAlert(input: $input) { alert { id } userErrors { message } } }`;
  expect((await api.gql(ACK, { input: { alertId } }, leader)).data?.acknowledgeAlert.userErrors).toEqual([]);
  expect((await alertsOf('grid.leader')).map((a) => a.alert.id)).toEqual([redId]);
  expect(
    (await alertsOf('grid.leader', false)).find((a) => a.alert.id === alertId)?.acknowledgedAt,
  ).toBeTruthy();
  const outsider = await api.login('gridb.leader');
  expect(errorCodes(await api.gql(ACK, { input: { alertId } }, outsider))).toEqual({
    acknowledgeAlert: 'NOT_FOUND',
  });
});

test('an injury report by SOCIAL_AFFAIRS reaches POLICE at once, and POLICE read it', async () => {
  const social = await api.login('social_affairs.worker');
  const REPORT = `mutation($input: ReportInjuryInput!) { reportInjury(input: $input) { injuryReport { id alertId } userErrors { field message } } }`;
  const reported = await api.gql(
    REPORT,
    {
      input: {
        facility: '和平街道卫生院',
        cause: 'KNIFE',
        description: '左臂刀伤，自述邻里冲突',
        gridId: await api.node('gridA'),
      },
    },
    social,
  );
  const alertId = reported.data?.reportInjury.injuryReport.alertId;
  expect(alertId).toBeTruthy();
  const police = await alertsOf('police.worker');
  expect(police.find((a) => a.alert.id === alertId)?.alert.kind).toBe('INJURY_REPORT');
  expect((await alertsOf('grid.leader')).map((a) => a.alert.id)).not.toContain(alertId);
  const worker = await api.login('grid.worker');
  const refused = await api.gql(
    REPORT,
    { input: { facility: 'x', cause: 'KNIFE', description: 'x', gridId: await api.node('gridA') } },
    worker,
  );
  expect(errorCodes(refused)).toEqual({ reportInjury: 'FORBIDDEN' });
});
