// Every list is a connection (issue 22 item 5), generated from the schema: a list of records that
// can grow without bound is a cursor connection (edges, pageInfo, totalCount); a plain array is
// allowed only where the domain bounds it, and each such field is named here with its bound. A list
// added later fails this test until it is made a connection or its bound is written down.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, getNamedType, getNullableType, isListType, isObjectType } from 'graphql';

const BOUNDED: Record<string, string> = {
  'Query.departments': 'reference data: about twenty departments',
  'Query.jurisdictions': 'reference data: the organisation tree, read once and cached by clients',
  'Query.labels': 'one entry per enum of the schema',
  'Query.similarPersons': 'a ranked search answer of at most `first` (≤ 100) candidates, not a list to page',
  'Query.webhooks': 'the subscriptions of one service account, a handful',
  'Assessment.indicators': 'the indicators of one assessment: at most the catalog’s size',
  'Assignment.teamMembers': 'one follow-up team, a few people',
  'AuditTrailPage.entries': 'a page of the audit trail, sized by `first` and continued by its own cursor',
  'CaseReview.entries': 'one incident’s 12 months of history on its linked records',
  'CaseReview.gaps': 'the gaps of that history',
  'ChangeFeed.edges': 'a page of the change feed, sized by `first` and continued by its own cursor',
  'Dispute.escalations': 'one per level a dispute climbs: at most four',
  'Dispute.mediationSessions': 'the sessions of one mediation, a handful',
  'Dispute.parties': 'the parties of one dispute, a handful',
  'Dispute.returnVisits': 'two return visits per resolved dispute (30 and 90 days)',
  'DisputeRouting.routes': 'reference data: one route per dispute category',
  'EnumLabels.values': 'the values of one enum',
  'Household.members': 'one household',
  'IndicatorCatalogVersion.indicators': 'one catalog version: a few dozen indicators',
  'MonthlyComparison.changes': 'one entry per figure of the monthly figures',
  'MonthlyFigures.disputesByCategory': 'one count per category',
  'MonthlyFigures.disputesByLevel': 'one count per level',
  'MonthlyFigures.disputesByStatus': 'one count per status',
  'MonthlyFigures.personsByTier': 'one count per tier',
  'Person.assessments': 'one person’s history within the retention period; paged at Query.assessments',
  'Person.corrections': 'one person’s corrections within the retention period',
  'Person.disputes': 'the disputes one person is party to, within the retention period',
  'Person.policeRecords': 'one person’s police records within the retention period',
  'Person.referrals': 'one person’s referrals within the retention period',
  'PersonAccessReport.edges': 'a page of the access report, sized by `first` and continued by its own cursor',
  'PersonCorrection.changes': 'the fields one correction changed',
  'QuarterlyFollowUp.units': 'the villages of one street',
  'QuarterlyFollowUp.departments': 'about twenty departments',
  'QuarterlyUnit.shortfalls': 'one per threshold of the quarterly list',
  'QuarterlyUnit.trend': 'the three months of one quarter',
  'QuarterlyUnit.months': 'the three months of one quarter',
  'Reorganisation.moved': 'one count per kind of record moved',
  'ServiceAccount.keys': 'the keys of one service account, a few',
  'TierExplanation.indicators': 'the indicators behind one tier',
  'Viewer.operations': 'one entry per operation of the schema',
  'Viewer.types': 'one entry per type of the schema',
  'ViewerType.fields': 'the fields of one type',
  'YearlyAssessment.units': 'the villages of one jurisdiction',
  'YearlyAssessment.departments': 'about twenty departments',
  'YearlyAssessment.incidents': 'the year’s extreme-violence incidents in one jurisdiction: a few',
};

const schema = buildSchema(readFileSync(path.join(__dirname, '../../schema/schema.graphql'), 'utf8'));

/** Every field of an object type (not a connection's own edges, not a mutation's payload) that lists objects. */
function objectLists(): string[] {
  const found: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || /(Connection|Payload)$/.test(type.name))
      continue;
    if (type === schema.getMutationType()) continue;
    for (const field of Object.values(type.getFields())) {
      const listed = getNullableType(field.type);
      if (isListType(listed) && isObjectType(getNamedType(listed))) found.push(`${type.name}.${field.name}`);
    }
  }
  return found.sort();
}

test('every list of objects is a connection unless its bound is written down', () => {
  expect(objectLists()).toEqual(Object.keys(BOUNDED).sort());
});

test('every connection pages the same way: first and after, edges with cursors, pageInfo and totalCount', () => {
  const query = schema.getQueryType();
  if (!query) throw new Error('no Query type');
  const connections = Object.values(query.getFields()).filter((field) =>
    getNamedType(field.type).name.endsWith('Connection'),
  );
  expect(connections.length).toBeGreaterThan(10);
  for (const field of connections) {
    const type = getNamedType(field.type);
    if (!isObjectType(type)) throw new Error(`${type.name} is not an object type`);
    const shape = {
      field: field.name,
      arguments: field.args.map((arg) => arg.name).filter((name) => name === 'first' || name === 'after'),
      fields: Object.keys(type.getFields()).sort(),
    };
    expect(shape).toEqual({
      field: field.name,
      arguments: expect.arrayContaining(['first', 'after']),
      fields: ['edges', 'pageInfo', 'totalCount'],
    });
  }
});
