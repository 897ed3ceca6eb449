// Lists read only the columns their query asks for (`columnsFor`). Each field asked for alone must
// come back exactly as it does when every field is asked for (whole rows): a field resolver that reads
// a column its entry in PERSON_COLUMNS (or DISPUTE_, ASSIGNMENT_, FOLLOW_UP_COLUMNS) does not list
// would come back null or wrong here.
import { getNamedType, isLeafType, isObjectType, type GraphQLObjectType } from 'graphql';
import { buildBareSchema } from '../../../src/graphql/schema';
import { startTestApi, type TestApi } from '../../support/api';
import {
  assignToGridLeader,
  recordAssessment,
  recordFollowUp,
  registerDispute,
  registerHousehold,
  registerPerson,
} from '../../support/fixtures';

let api: TestApi;
let token: string;
let schema: Awaited<ReturnType<typeof buildBareSchema>>;

beforeAll(async () => {
  api = await startTestApi();
  schema = await buildBareSchema();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const householdId = await registerHousehold(api, worker, gridA, '东村3组12号');
  const personId = await registerPerson(api, worker, {
    name: '列甲',
    gridId: gridA,
    gender: 'MALE',
    birthDate: '1980-02-03',
    idNumber: '330000198002031234',
    phone: '13812345678',
    address: '东村3组12号',
    householdId,
    residency: 'MIGRANT',
    employerName: '某某厂',
    occupation: '工人',
    specialStatuses: ['RELEASED_PRISONER', 'VETERAN'],
  });
  const other = await registerPerson(api, worker, { name: '列乙', gridId: gridA, phone: '13900001111' });
  await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [personId, other] });
  await recordAssessment(api, worker, personId, ['VOLATILE_TEMPER', 'THREATENED_HARM']);
  await assignToGridLeader(api, personId);
  await recordFollowUp(api, worker, personId);
  token = await api.login('grid.leader');
}, 120000);
afterAll(() => api.close());

/** Every field of a type that needs no argument, objects as `{ __typename }`. */
function fieldsOf(typeName: string): [name: string, selection: string][] {
  const type = schema.getType(typeName) as GraphQLObjectType;
  return Object.values(type.getFields())
    .filter((field) => field.args.every((arg) => !arg.type.toString().endsWith('!')))
    .map((field) => {
      const named = getNamedType(field.type);
      return [
        field.name,
        isLeafType(named) || !isObjectType(named) ? field.name : `${field.name} { __typename }`,
      ];
    });
}

const PERSONS = (selection: string, nested = '') =>
  `query($j: ID!) { persons(first: 20, filter: { jurisdictionId: $j }) { edges { node { id ${nested} ${selection} } } } }`;

type Row = Record<string, any> | null;
const nodes = (data: any): Row[] => data.persons.edges.map((edge: any) => edge.node);
const disputes = (data: any): Row[] => nodes(data).flatMap((node) => node?.disputes ?? []);

/** Where each type is read by a narrowed loader: the query around a selection, and its objects. */
const WHERE: [typeName: string, query: (selection: string) => string, at: (data: any) => Row[]][] = [
  ['Person', (selection) => PERSONS(selection), nodes],
  ['Dispute', (selection) => PERSONS('', `disputes { ${selection} }`), disputes],
  [
    'Person',
    (selection) => PERSONS('', `disputes { parties { role person { ${selection} } } }`),
    (data) => disputes(data).flatMap((dispute) => dispute?.parties.map((party: any) => party.person)),
  ],
  [
    'Assignment',
    (selection) => PERSONS('', `currentAssignment { ${selection} }`),
    (data) => nodes(data).map((node) => node?.currentAssignment ?? null),
  ],
  [
    'FollowUp',
    (selection) => PERSONS('', `lastFollowUp { ${selection} }`),
    (data) => nodes(data).map((node) => node?.lastFollowUp ?? null),
  ],
];

async function eachFieldAlone(
  typeName: string,
  query: (selection: string) => string,
  at: (data: any) => Row[],
): Promise<void> {
  {
    const street = await api.node('street');
    const fields = fieldsOf(typeName);
    const all = await api.gql(
      query(fields.map(([, selection]) => selection).join(' ')),
      { j: street },
      token,
    );
    // Not a comparison of empty answers: the rows are there.
    expect(at(all.data).filter((row) => row !== null).length).toBeGreaterThan(0);
    for (const [name, selection] of fields) {
      const alone = await api.gql(query(selection), { j: street }, token);
      const values = (data: any) => at(data).map((row) => (row ? row[name] : 'no row'));
      expect({ name, values: values(alone.data) }).toEqual({ name, values: values(all.data) });
      const errors = (answer: typeof all) =>
        (answer.errors ?? [])
          .filter((error) => error.path?.at(-1) === name)
          .map((error) => error.path?.join('.'));
      expect({ name, errors: errors(alone) }).toEqual({ name, errors: errors(all) });
    }
  }
}

test.each(WHERE)('each field of %s, asked for alone, is what it is among all fields', eachFieldAlone);

describe('the persons of the overdue lists', () => {
  // Past every cadence and review-by date: the person with an assessment is overdue on both lists.
  // The earlier token has expired by then: sign in afresh (advanceDays makes api.login sign in again,
  // with the LEADER's second factor).
  beforeAll(async () => {
    api.clock.advanceDays(100);
    token = await api.login('grid.leader');
  });

  const OVERDUE: [typeName: string, query: (selection: string) => string, at: (data: any) => Row[]][] = [
    [
      'Person',
      (selection) =>
        `query($j: ID!) { overdueFollowUps(jurisdictionId: $j, first: 20) { edges { node { person { ${selection} } } } } }`,
      (data) => data.overdueFollowUps.edges.map((edge: any) => edge.node.person),
    ],
    [
      'Person',
      (selection) =>
        `query($j: ID!) { overdueReviews(jurisdictionId: $j, first: 20) { edges { node { person { ${selection} } } } } }`,
      (data) => data.overdueReviews.edges.map((edge: any) => edge.node.person),
    ],
  ];
  test.each(OVERDUE)('each field of %s, asked for alone, is what it is among all fields', eachFieldAlone);
});
