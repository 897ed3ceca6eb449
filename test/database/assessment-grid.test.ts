// An assessment carries its person's grid (migration AssessmentGrid: the monthly figures find a
// street's latest assessments by the street's grids). The database keeps the copy right whoever
// writes: a new assessment takes its person's grid, a person who moves takes their assessments along,
// and an assessment moved to another person (a merge) takes that person's grid.
import { startTestApi, type TestApi } from '../support/api';
import { recordAssessment, registerPerson } from '../support/fixtures';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const gridOf = async (assessmentId: string): Promise<string> =>
  (await api.dataSource.query(`SELECT grid_id FROM assessments WHERE id = $1`, [assessmentId]))[0].grid_id;

test('an assessment follows its person’s grid: when written, when the person moves, when it moves to another person', async () => {
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const gridB = await api.node('gridB');
  const person = await registerPerson(api, worker, { name: '网格随人', gridId: gridA });
  const assessment = await recordAssessment(api, worker, person, ['WITHDRAWN']);
  expect(await gridOf(assessment)).toBe(gridA);

  await api.dataSource.query(`UPDATE persons SET grid_id = $2 WHERE id = $1`, [person, gridB]);
  expect(await gridOf(assessment)).toBe(gridB);

  const other = await registerPerson(api, worker, { name: '网格随人二', gridId: gridA });
  await api.dataSource.query(`UPDATE assessments SET person_id = $2 WHERE id = $1`, [assessment, other]);
  expect(await gridOf(assessment)).toBe(gridA);

  // Every assessment agrees with its person, the demo city's included.
  const disagreeing = await api.dataSource.query(
    `SELECT a.id FROM assessments a JOIN persons p ON p.id = a.person_id WHERE a.grid_id <> p.grid_id`,
  );
  expect(disagreeing).toEqual([]);
});
