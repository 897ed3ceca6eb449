// Every migration, in order. Listed explicitly so the compiled build and ts-jest load the same set.
import { Foundation1764400000000 } from './1764400000000-Foundation';
import { ServiceAccountsAndAuditAccess1764500000000 } from './1764500000000-ServiceAccountsAndAuditAccess';
import { Workflows1764600000000 } from './1764600000000-Workflows';
import { SupportAlertsHazards1764700000000 } from './1764700000000-SupportAlertsHazards';
import { ScaleIndexes1764800000000 } from './1764800000000-ScaleIndexes';
import { PoliceRecords1764900000000 } from './1764900000000-PoliceRecords';
import { MillisecondSortKeys1765000000000 } from './1765000000000-MillisecondSortKeys';
import { LoginFailures1765100000000 } from './1765100000000-LoginFailures';
import { JurisdictionsAppendOnly1765200000000 } from './1765200000000-JurisdictionsAppendOnly';
import { AuditEntriesInline1765300000000 } from './1765300000000-AuditEntriesInline';
import { LastFollowUpOfPerson1765400000000 } from './1765400000000-LastFollowUpOfPerson';
import { IdempotencyPayloadHash1765540000000 } from './1765540000000-IdempotencyPayloadHash';
import { LoginThrottlePerAccountAndSource1765560000000 } from './1765560000000-LoginThrottlePerAccountAndSource';
import { AuditChainHead1765600000000 } from './1765600000000-AuditChainHead';
import { UserAdministrationAndSessions1765700000000 } from './1765700000000-UserAdministrationAndSessions';
import { SecondFactor1765750000000 } from './1765750000000-SecondFactor';
import { ReferenceDataAdministration1765800000000 } from './1765800000000-ReferenceDataAdministration';
import { OnePersonOneRecord1765900000000 } from './1765900000000-OnePersonOneRecord';
import { ChangeFeed1765950000000 } from './1765950000000-ChangeFeed';
import { Outbox1766000000000 } from './1766000000000-Outbox';
import { BulkImport1766100000000 } from './1766100000000-BulkImport';
import { ServiceAccountBudgets1766200000000 } from './1766200000000-ServiceAccountBudgets';
import { ReviewByAndNameSearch1766300000000 } from './1766300000000-ReviewByAndNameSearch';
import { ListSortKeys1766350000000 } from './1766350000000-ListSortKeys';
import { PersonRights1766400000000 } from './1766400000000-PersonRights';
import { BreakGlass1766500000000 } from './1766500000000-BreakGlass';
import { Accountability1766600000000 } from './1766600000000-Accountability';
import { AuditEntriesByMonth1766700000000 } from './1766700000000-AuditEntriesByMonth';
import { DropUnusedNameTrigramIndex1766900000000 } from './1766900000000-DropUnusedNameTrigramIndex';
import { DisputeStatusNotes1767000000000 } from './1767000000000-DisputeStatusNotes';
import { ReturnVisitMethod1767100000000 } from './1767100000000-ReturnVisitMethod';
import { FeedPruning1767200000000 } from './1767200000000-FeedPruning';
import { AssessmentGrid1767300000000 } from './1767300000000-AssessmentGrid';
import { FollowUpDueDate1767400000000 } from './1767400000000-FollowUpDueDate';

export const migrations = [
  Foundation1764400000000,
  ServiceAccountsAndAuditAccess1764500000000,
  Workflows1764600000000,
  SupportAlertsHazards1764700000000,
  ScaleIndexes1764800000000,
  PoliceRecords1764900000000,
  MillisecondSortKeys1765000000000,
  LoginFailures1765100000000,
  JurisdictionsAppendOnly1765200000000,
  AuditEntriesInline1765300000000,
  LastFollowUpOfPerson1765400000000,
  IdempotencyPayloadHash1765540000000,
  LoginThrottlePerAccountAndSource1765560000000,
  AuditChainHead1765600000000,
  UserAdministrationAndSessions1765700000000,
  SecondFactor1765750000000,
  ReferenceDataAdministration1765800000000,
  OnePersonOneRecord1765900000000,
  ChangeFeed1765950000000,
  Outbox1766000000000,
  BulkImport1766100000000,
  ServiceAccountBudgets1766200000000,
  ReviewByAndNameSearch1766300000000,
  ListSortKeys1766350000000,
  PersonRights1766400000000,
  BreakGlass1766500000000,
  Accountability1766600000000,
  AuditEntriesByMonth1766700000000,
  DropUnusedNameTrigramIndex1766900000000,
  DisputeStatusNotes1767000000000,
  ReturnVisitMethod1767100000000,
  FeedPruning1767200000000,
  AssessmentGrid1767300000000,
  FollowUpDueDate1767400000000,
];
