// The hazardous-goods registers: a sale to an ORANGE person's ID number raises one POLICE alert;
// importing the same file again adds nothing; the register stays with its departments.
import { startTestApi, type TestApi } from '../../support/api';
import { errorCodes, recordAssessment, registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;
let businessId: string;
const ORANGE_ID = '330102198203041237';

beforeAll(async () => {
  api = await startTestApi();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const person = await registerPerson(api, worker, { name: '橙色', gridId: gridA, idNumber: ORANGE_ID });
  await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [person] });
  await recordAssessment(api, worker, person, ['EXTREME_FIXATION']);
  const market = await api.login('market_supervision.worker');
  const registered = await api.gql(
    `mutation($input: RegisterHazardBusinessInput!) { registerHazardBusiness(input: $input) { business { id } userErrors { message } } }`,
    {
      input: {
        name: '和平农资店',
        licenseNumber: 'WH-2026-0001',
        activities: ['SELL', 'STORE'],
        goods: '农药、汽油',
        address: '东村5组1号',
        gridId: gridA,
      },
    },
    market,
  );
  businessId = registered.data?.registerHazardBusiness.business.id;
});
afterAll(() => api.close());

const CSV = [
  'receiptNumber,buyerName,buyerIdNumber,item,quantity,unit,soldAt',
  `R-001,橙色,${ORANGE_ID},百草枯,2,瓶,2026-10-30T09:00:00Z`,
  'R-002,路人,330102199001011236,汽油,5,升,2026-10-30T10:00:00Z',
].join('\n');
const IMPORT = `mutation($input: ImportHazardSalesInput!) { importHazardSales(input: $input) { added skipped alertsRaised userErrors { field message } } }`;

test('a sale to an ORANGE person raises one POLICE alert; re-importing the same file adds nothing', async () => {
  const market = await api.login('market_supervision.worker');
  const first = await api.gql(IMPORT, { input: { businessId, format: 'CSV', content: CSV } }, market);
  expect(first.data?.importHazardSales).toEqual({ added: 2, skipped: 0, alertsRaised: 1, userErrors: [] });
  const again = await api.gql(IMPORT, { input: { businessId, format: 'CSV', content: CSV } }, market);
  expect(again.data?.importHazardSales).toEqual({ added: 0, skipped: 2, alertsRaised: 0, userErrors: [] });
  const counts: { sales: string; alerts: string }[] = await api.dataSource.query(
    `SELECT (SELECT count(*) FROM hazard_sales) AS sales, (SELECT count(*) FROM alerts WHERE kind = 'HAZARDOUS_PURCHASE') AS alerts`,
  );
  expect(counts[0]).toEqual({ sales: '2', alerts: '1' });
  const police = await api.login('police.worker');
  const alerts = await api.gql(
    `{ myAlerts(unacknowledgedOnly: true) { alert { kind description } } }`,
    {},
    police,
  );
  expect(alerts.data?.myAlerts.map((a: any) => a.alert.kind)).toEqual(['HAZARDOUS_PURCHASE']);
  const json = JSON.stringify([
    {
      receiptNumber: 'R-003',
      buyerName: '某人',
      buyerIdNumber: ORANGE_ID,
      item: '汽油',
      quantity: 1,
      unit: '升',
      soldAt: '2026-10-31T08:00:00Z',
    },
  ]);
  const viaJson = await api.gql(IMPORT, { input: { businessId, format: 'JSON', content: json } }, market);
  expect(viaJson.data?.importHazardSales).toMatchObject({ added: 1, alertsRaised: 1 });
});

test('a bad row is named by its line and nothing of the file is written', async () => {
  const market = await api.login('market_supervision.worker');
  const bad = `${CSV.split('\n')[0]}\nR-010,甲,330102199001011236,汽油,3,升,2026-10-30T10:00:00Z\nR-011,乙,12345,汽油,-1,升,2026-10-30T10:00:00Z`;
  const result = await api.gql(IMPORT, { input: { businessId, format: 'CSV', content: bad } }, market);
  expect(result.data?.importHazardSales.added).toBe(0);
  expect(result.data?.importHazardSales.userErrors.map((e: any) => e.field)).toEqual([
    'input.content.2.buyerIdNumber',
    'input.content.2.quantity',
  ]);
  const rows: unknown[] = await api.dataSource.query(
    `SELECT 1 FROM hazard_sales WHERE receipt_number = 'R-010'`,
  );
  expect(rows).toHaveLength(0);
});

test('the register stays with its departments: others are refused, EMERGENCY_MANAGEMENT sees buyer IDs masked', async () => {
  const SALES = `query($b: ID!) { hazardSales(businessId: $b) { receiptNumber buyerIdNumber } }`;
  const police = await api.login('police.leader');
  expect(errorCodes(await api.gql(SALES, { b: businessId }, police))).toEqual({ hazardSales: 'FORBIDDEN' });
  const emergency = await api.login('emergency_management.worker');
  const masked = await api.gql(SALES, { b: businessId }, emergency);
  expect(masked.data?.hazardSales.find((s: any) => s.receiptNumber === 'R-001').buyerIdNumber).toBe(
    '330***********1237',
  );
  const market = await api.login('market_supervision.worker');
  const full = await api.gql(SALES, { b: businessId }, market);
  expect(full.data?.hazardSales.find((s: any) => s.receiptNumber === 'R-001').buyerIdNumber).toBe(ORANGE_ID);
});
