// The lean row reader (src/database/entity-rows.ts) must hand resolvers exactly what TypeORM's getMany
// would: same classes, same values — dates, birth dates, JSON, arrays, numeric transformers — and it
// must read inside the transaction of the builder it is given.
import { Brackets, NotBrackets, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { readEntities, readRawAndEntities } from '../../src/database/entity-rows';
import { shapeOf, sqlTextOf } from '../../src/database/sql-text';
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

test('a kept statement text is bound anew each time, and two shapes of query never share a text', async () => {
  const persons = () => api.dataSource.getRepository(Person).createQueryBuilder('p');
  const byName = (name: string) => readEntities(persons().where('p.name = :name', { name }));
  expect((await byName('读行甲')).map((person) => person.id)).toEqual([personIds[0]]);
  expect((await byName('读行乙')).map((person) => person.id)).toEqual([personIds[1]]);
  // The same parameter name in another condition is another shape, so another text.
  expect(await readEntities(persons().where('p.id = :name', { name: personIds[0] }))).toHaveLength(1);
  expect((await byName('读行甲')).map((person) => person.id)).toEqual([personIds[0]]);
});

test('the shape of a query names every part its SQL text is written from', () => {
  const persons = () => api.dataSource.getRepository(Person).createQueryBuilder('p');
  const variants = [
    () => persons(),
    () => persons().where('p.name = :name'),
    () => persons().where('p.name = :name').andWhere('p.tier = :tier'),
    () => persons().where('p.name = :name').orWhere('p.tier = :tier'),
    () => persons().where(new Brackets((where) => where.where('p.name = :name').orWhere('p.tier = :tier'))),
    () => persons().where(new NotBrackets((where) => where.where('p.name = :name'))),
    () => persons().where({ name: 'x' }),
    () => persons().select(['p.id', 'p.name']),
    () => persons().select(['p.id']),
    () => persons().orderBy('p.name', 'ASC'),
    () => persons().orderBy('p.name', 'DESC'),
    () => persons().orderBy('p.name', 'DESC', 'NULLS LAST'),
    () => persons().limit(10),
    () => persons().limit(11),
    () => persons().offset(5),
    () => persons().distinctOn(['p.grid_id']).orderBy('p.grid_id'),
    () => persons().distinct(true),
    () => persons().groupBy('p.id'),
    () => persons().groupBy('p.id').having('COUNT(1) > 1'),
    () => persons().innerJoin(DisputeParty, 'dp', 'dp.person_id = p.id'),
    () => persons().leftJoin(DisputeParty, 'dp', 'dp.person_id = p.id'),
    () => persons().leftJoin(DisputeParty, 'dp', 'dp.person_id = p.id AND dp.role = :role'),
    () => persons().setLock('pessimistic_write'),
    () => persons().setLock('pessimistic_write').setOnLocked('skip_locked'),
    () => persons().comment('x'),
    () => api.dataSource.getRepository(Person).createQueryBuilder('q'),
    () => api.dataSource.getRepository(Dispute).createQueryBuilder('p'),
  ];
  const texts = new Map<string, string>();
  for (const variant of variants) {
    const shape = shapeOf(variant() as SelectQueryBuilder<ObjectLiteral>);
    const text = variant().getQuery();
    expect({ variant: variant.toString(), kept: shape !== undefined }).toEqual({
      variant: variant.toString(),
      kept: true,
    });
    // Same builder, same shape; a shape already seen must have been written to the same text.
    expect(shapeOf(variant() as SelectQueryBuilder<ObjectLiteral>)).toBe(shape);
    if (texts.has(shape as string)) expect(texts.get(shape as string)).toBe(text);
    texts.set(shape as string, text);
    expect(sqlTextOf(variant() as SelectQueryBuilder<ObjectLiteral>).sql).toBe(text);
  }
  // Every variant writes another text, so every one has a shape of its own.
  expect(new Set(variants.map((variant) => variant().getQuery())).size).toBe(variants.length);
  expect(texts.size).toBe(variants.length);
  // What the shape cannot describe is written anew every time, never kept.
  const withCte = api.dataSource
    .getRepository(Person)
    .createQueryBuilder('p')
    .addCommonTableExpression('SELECT 1', 'one');
  expect(shapeOf(withCte as SelectQueryBuilder<ObjectLiteral>)).toBeUndefined();
  expect(sqlTextOf(withCte as SelectQueryBuilder<ObjectLiteral>).kept).toBe(false);
});
