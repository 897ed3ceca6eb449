// Every TypeORM entity of the application, in one list for the data source.
import { Assignment, FollowUp } from '../domain/assignments/assignment.entity';
import {
  Dispute,
  DisputeEscalation,
  DisputeParty,
  DisputeRoute,
  MediationSession,
  ReturnVisit,
} from '../domain/disputes/dispute.entity';
import { TierChangeRequest } from '../domain/risk/tier-change.entity';
import { PsychologicalFile, Referral } from '../domain/referrals/referral.entity';
import { Alert, AlertRecipient, InjuryReport } from '../domain/alerts/alert.entity';
import { HazardBusiness, HazardSale } from '../domain/hazards/hazard.entity';
import { PoliceRecord } from '../domain/police/police-record.entity';
import { Incident } from '../domain/police/incident.entity';
import { Department } from '../domain/organisation/department.entity';
import { Jurisdiction } from '../domain/organisation/jurisdiction.entity';
import { User } from '../domain/organisation/user.entity';
import { Session } from '../auth/session.entity';
import { Household } from '../domain/people/household.entity';
import { Person } from '../domain/people/person.entity';
import { Assessment, AssessmentIndicator } from '../domain/risk/assessment.entity';
import { Indicator, IndicatorCatalogVersion } from '../domain/risk/indicator.entity';
import { BreakGlassGrant } from '../domain/break-glass/break-glass.entity';

export const entities = [
  Jurisdiction,
  Department,
  User,
  Session,
  Household,
  Person,
  Dispute,
  DisputeParty,
  DisputeRoute,
  DisputeEscalation,
  MediationSession,
  ReturnVisit,
  TierChangeRequest,
  Indicator,
  IndicatorCatalogVersion,
  Assessment,
  AssessmentIndicator,
  Assignment,
  FollowUp,
  Referral,
  PsychologicalFile,
  Alert,
  AlertRecipient,
  InjuryReport,
  HazardBusiness,
  HazardSale,
  PoliceRecord,
  BreakGlassGrant,
  Incident,
];
