// The lean row reader (src/database/entity-rows.ts) must hand resolvers exactly what TypeORM's getMany
// would: same classes, same values — dates, birth dates, JSON, arrays, numeric transformers — and it
// must read inside the transaction of the builder it is given.
import { readEntities, readRawAndEntities } from '../../src/database/entity-rows';
import { Dispute, DisputeParty } from '../../src/domain/disputes/dispute.entity';
import { HazardSale } from '../../src/domain/hazards/hazard.entity';
import { Person } from '../../src/domain/people/person.entity';
import { startTestApi, type TestApi } from '../support/api';
import { recordAssessment, registerDispute, registerPerson } from '../support/fixtures';

let api: TestApi;
let personIds: string[];

beforeAll(async () => {
  api = await startTestApi();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const first = await registerPerson(api, worker, {
    name: '读行甲',
    gridId: gridA,
    birthDate: '1980-02-29',
    phone: '13800000001',
    specialStatuses: ['VETERAN'],
  });
  const second = await registerPerson(api, worker, { name: '读行乙', gridId: gridA });
  await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [first, second] });
  await recordAssessment(api, worker, first, ['VOLATILE_TEMPER']);
  personIds = [first, second];
  const [user] = await api.dataSource.query(`SELECT id FROM users WHERE username = 'grid.worker'`);
  const [business] = await api.dataSource.query(
    `INSERT INTO hazard_businesses (name, license_number, activities, goods, address, grid_id, created_by_id)
     VALUES ('读行商店', 'LR-1', ARRAY['SALE'], '汽油', '东村', $1, $2) RETURNING id`,
    [gridA, user.id],
  );
  await api.dataSource.query(
    `INSERT INTO hazard_sales (business_id, receipt_number, buyer_name, buyer_id_number, item, quantity, unit,
                               sold_at, recorded_by_id)
     VALUES ($1, 'R-1', '读行甲', '330102198002291234', '汽油', 12.5, 'L', now(), $2)`,
    [business.id, user.id],
  );
});
afterAll(() => api.close());

test('persons, disputes, parties and sales come out as getMany reads them', async () => {
  const persons = () =>
    api.dataSource
      .getRepository(Person)
      .createQueryBuilder('p')
      .where('p.id = ANY(:ids)', { ids: personIds })
      .orderBy('p.name');
  const lean = await readEntities(persons());
  expect(lean).toEqual(await persons().getMany());
  const first = lean.find((person) => person.id === personIds[0]);
  expect(first).toBeInstanceOf(Person);
  expect(first).toMatchObject({
    birthDate: '1980-02-29',
    specialStatuses: ['VETERAN'],
    tier: expect.stringMatching(/YELLOW|ORANGE|RED/),
  });
  expect(first?.createdAt).toBeInstanceOf(Date);
  expect(first?.tierExplanationData).toMatchObject({ catalogVersion: expect.anything() });

  for (const entity of [Dispute, DisputeParty, HazardSale] as const) {
    const query = () => api.dataSource.getRepository(entity).createQueryBuilder('x');
    expect(await readEntities(query())).toEqual(await query().getMany());
  }
  const [sale] = await readEntities(api.dataSource.getRepository(HazardSale).createQueryBuilder('s'));
  expect(sale?.quantity).toBe(12.5);
});

test('a builder of a transaction reads that transaction’s own writes', async () => {
  await api.dataSource
    .transaction(async (manager) => {
      await manager.query(`UPDATE persons SET name = '未提交' WHERE id = $1`, [personIds[1]]);
      const { entities } = await readRawAndEntities(
        manager.getRepository(Person).createQueryBuilder('p').where('p.id = :id', { id: personIds[1] }),
      );
      expect(entities[0]?.name).toBe('未提交');
      throw new Error('roll back');
    })
    .catch((error: Error) => expect(error.message).toBe('roll back'));
  const [after] = await api.dataSource.query(`SELECT name FROM persons WHERE id = $1`, [personIds[1]]);
  expect(after.name).toBe('读行乙');
});

test('a cached statement is bound anew each time, and one key never names two statements', async () => {
  const persons = () => api.dataSource.getRepository(Person).createQueryBuilder('p');
  const named = (name: string) =>
    readEntities(persons().where('p.name = :name', { name }), 'entity-rows test: person by name');
  expect((await named('读行甲')).map((person) => person.id)).toEqual([personIds[0]]);
  expect((await named('读行乙')).map((person) => person.id)).toEqual([personIds[1]]);
  // The tests check every keyed statement against its cached text (checkSqlCacheKeys).
  await expect(
    readEntities(persons().where('p.id = :name', { name: 'x' }), 'entity-rows test: person by name'),
  ).rejects.toThrow(/names two statements/);
});
