// The hazardous-goods registers: a sale to an ORANGE person's ID number raises one POLICE alert, and
// the importer's answer is the same as for a stranger's (no oracle); importing the same file again
// adds nothing; the register stays with its departments.
import { startTestApi, type TestApi } from '../../support/api';
import { errorCodes, recordAssessment, registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;
let businessId: string;
const ORANGE_ID = '330102198203041234';
const RED_ID = '330102198506071238';
const STRANGER_ID = '330102197703154564';

beforeAll(async () => {
  api = await startTestApi();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const person = await registerPerson(api, worker, { name: '橙色', gridId: gridA, idNumber: ORANGE_ID });
  await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [person] });
  await recordAssessment(api, worker, person, ['EXTREME_FIXATION']);
  const red = await registerPerson(api, worker, { name: '红色', gridId: gridA, idNumber: RED_ID });
  await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [red] });
  await recordAssessment(api, worker, red, ['EXTREME_FIXATION', 'THREATENED_HARM']);
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
  'R-002,路人,330102199001011234,汽油,5,升,2026-10-30T10:00:00Z',
].join('\n');
const IMPORT = `mutation($input: ImportHazardSalesInput!) { importHazardSales(input: $input) { added skipped userErrors { field message } } }`;

test('a sale to an ORANGE person raises one POLICE alert; re-importing the same file adds nothing', async () => {
  const market = await api.login('market_supervision.worker');
  const first = await api.gql(IMPORT, { input: { businessId, format: 'CSV', content: CSV } }, market);
  expect(first.data?.importHazardSales).toEqual({ added: 2, skipped: 0, userErrors: [] });
  const again = await api.gql(IMPORT, { input: { businessId, format: 'CSV', content: CSV } }, market);
  expect(again.data?.importHazardSales).toEqual({ added: 0, skipped: 2, userErrors: [] });
  const counts: { sales: string; alerts: string }[] = await api.dataSource.query(
    `SELECT (SELECT count(*) FROM hazard_sales) AS sales, (SELECT count(*) FROM alerts WHERE kind = 'HAZARDOUS_PURCHASE') AS alerts`,
  );
  expect(counts[0]).toEqual({ sales: '2', alerts: '1' });
  const police = await api.login('police.worker');
  const alerts = await api.gql(
    `{ myAlerts(unacknowledgedOnly: true) { edges { node { alert { kind description } } } } }`,
    {},
    police,
  );
  expect(alerts.data?.myAlerts.edges.map((edge: any) => edge.node.alert.kind)).toEqual([
    'HAZARDOUS_PURCHASE',
  ]);
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
  expect(viaJson.data?.importHazardSales).toEqual({ added: 1, skipped: 0, userErrors: [] });
});

/** A selection of every field of HazardSalesPayload, read from the schema: a field added later is compared too. */
async function wholePayloadSelection(token: string): Promise<string> {
  const leafKind = (type: any): string => (type.ofType ? leafKind(type.ofType) : type.kind);
  const described = await api.gql(
    `{ __type(name: "HazardSalesPayload") { fields { name type { kind ofType { kind ofType { kind ofType { kind } } } } } } }`,
    {},
    token,
  );
  const fields: { name: string; type: unknown }[] = described.data?.__type.fields ?? [];
  expect(fields.map((field) => field.name)).toContain('added');
  return fields
    .map((field) =>
      ['SCALAR', 'ENUM'].includes(leafKind(field.type)) ? field.name : `${field.name} { field message code }`,
    )
    .join(' ');
}

test('importing a sale to a RED person answers exactly as a sale to a stranger; only POLICE learn of it', async () => {
  const market = await api.login('market_supervision.worker');
  const police = await api.login('police.worker');
  const selection = await wholePayloadSelection(market);
  const importOf = (receipt: string, buyerIdNumber: string) =>
    api.gql(
      `mutation($input: ImportHazardSalesInput!) { importHazardSales(input: $input) { ${selection} } }`,
      {
        input: {
          businessId,
          format: 'CSV',
          content: [
            'receiptNumber,buyerName,buyerIdNumber,item,quantity,unit,soldAt',
            `${receipt},买家,${buyerIdNumber},汽油,3,升,2026-10-31T09:00:00Z`,
            `${receipt},买家,${buyerIdNumber},汽油,3,升,2026-10-31T09:00:00Z`,
          ].join('\n'),
        },
      },
      market,
    );
  const record = (receipt: string, buyerIdNumber: string) =>
    api.gql(
      `mutation($input: RecordHazardSalesInput!) { recordHazardSales(input: $input) { ${selection} } }`,
      {
        input: {
          businessId,
          sales: [
            {
              receiptNumber: receipt,
              buyerName: '买家',
              buyerIdNumber,
              item: '农药',
              quantity: 1,
              unit: '瓶',
              soldAt: '2026-10-31T10:00:00Z',
            },
          ],
        },
      },
      market,
    );
  const policeAlerts = async () => {
    const result = await api.gql(
      `{ myAlerts(first: 100) { edges { node { alert { kind personId } } } } }`,
      {},
      police,
    );
    return (result.data?.myAlerts?.edges ?? []).filter(
      (edge: any) => edge.node.alert.kind === 'HAZARDOUS_PURCHASE',
    ).length;
  };
  const auditDetails = async (operation: string) =>
    (
      await api.dataSource.query(
        `SELECT fields, detail FROM audit_entries WHERE operation = $1 ORDER BY seq DESC LIMIT 2`,
        [operation],
      )
    ).map((row: { fields: string[]; detail: unknown }) => ({ fields: row.fields, detail: row.detail }));

  const alertsBefore = await policeAlerts();
  const toRed = await importOf('S-100', RED_ID);
  const toStranger = await importOf('S-200', STRANGER_ID);
  expect(toRed.errors).toBeUndefined();
  expect(toRed.data).toEqual({ importHazardSales: { added: 1, skipped: 1, userErrors: [] } });
  expect(toStranger.data).toEqual(toRed.data);
  const [strangerAudit, redAudit] = await auditDetails('importHazardSales');
  expect(strangerAudit).toEqual(redAudit);
  expect(await importOf('S-200', STRANGER_ID)).toEqual(await importOf('S-100', RED_ID));

  const recordedRed = await record('S-300', RED_ID);
  const recordedStranger = await record('S-400', STRANGER_ID);
  expect(recordedRed.data).toEqual({ recordHazardSales: { added: 1, skipped: 0, userErrors: [] } });
  expect(recordedStranger.data).toEqual(recordedRed.data);
  const [recordStrangerAudit, recordRedAudit] = await auditDetails('recordHazardSales');
  expect(recordStrangerAudit).toEqual(recordRedAudit);

  // POLICE got one alert per new sale to the RED person, none for the stranger or the re-import.
  expect((await policeAlerts()) - alertsBefore).toBe(2);
  const raised: { person_id: string }[] = await api.dataSource.query(
    `SELECT a.person_id FROM alerts a JOIN persons p ON p.id = a.person_id
      WHERE a.kind = 'HAZARDOUS_PURCHASE' AND p.id_number = ANY($1)`,
    [[RED_ID, STRANGER_ID]],
  );
  expect(raised).toHaveLength(2);
});

test('a bad row is named by its line and nothing of the file is written', async () => {
  const market = await api.login('market_supervision.worker');
  const bad = `${CSV.split('\n')[0]}\nR-010,甲,330102199001011234,汽油,3,升,2026-10-30T10:00:00Z\nR-011,乙,12345,汽油,-1,升,2026-10-30T10:00:00Z`;
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
  const SALES = `query($b: ID!) { hazardSales(businessId: $b) { edges { node { receiptNumber buyerIdNumber } } } }`;
  const police = await api.login('police.leader');
  expect(errorCodes(await api.gql(SALES, { b: businessId }, police))).toEqual({ hazardSales: 'FORBIDDEN' });
  const emergency = await api.login('emergency_management.worker');
  const masked = await api.gql(SALES, { b: businessId }, emergency);
  expect(
    masked.data?.hazardSales.edges.find((e: any) => e.node.receiptNumber === 'R-001').node.buyerIdNumber,
  ).toBe('**************1234');
  const market = await api.login('market_supervision.worker');
  const full = await api.gql(SALES, { b: businessId }, market);
  expect(
    full.data?.hazardSales.edges.find((e: any) => e.node.receiptNumber === 'R-001').node.buyerIdNumber,
  ).toBe(ORANGE_ID);
});

test('a licence already on record is refused exactly as a malformed one, and nothing is written', async () => {
  const market = await api.login('market_supervision.worker');
  const gridA = await api.node('gridA');
  const register = (licenseNumber: string) =>
    api.gql(
      `mutation($input: RegisterHazardBusinessInput!) { registerHazardBusiness(input: $input) {
         business { id } userErrors { field message code } } }`,
      {
        input: {
          name: '另一家店',
          licenseNumber,
          activities: ['SELL'],
          goods: '汽油',
          address: '东村5组2号',
          gridId: gridA,
        },
      },
      market,
    );
  const before = await api.dataSource.query(`SELECT count(*)::int AS n FROM hazard_businesses`);
  const taken = await register('WH-2026-0001');
  const malformed = await register('W!');
  expect(taken.data?.registerHazardBusiness.business).toBeNull();
  expect(taken.data?.registerHazardBusiness.userErrors).toEqual(
    malformed.data?.registerHazardBusiness.userErrors,
  );
  expect(taken.data?.registerHazardBusiness.userErrors[0].message).not.toContain('WH-2026-0001');
  expect(await api.dataSource.query(`SELECT count(*)::int AS n FROM hazard_businesses`)).toEqual(before);
});
