// Enumerations of disputes (SPEC §3 Dispute): categories, sources, status, level, party roles.
import { bilingualEnum } from '../../graphql/enums';

export enum DisputeCategory {
  MARRIAGE_RELATIONSHIP = 'MARRIAGE_RELATIONSHIP',
  FAMILY = 'FAMILY',
  DOMESTIC_VIOLENCE = 'DOMESTIC_VIOLENCE',
  NEIGHBOR = 'NEIGHBOR',
  LAND_FOREST = 'LAND_FOREST',
  PROPERTY_MANAGEMENT = 'PROPERTY_MANAGEMENT',
  CONTRACT = 'CONTRACT',
  LABOR_WAGES = 'LABOR_WAGES',
  PRIVATE_LENDING = 'PRIVATE_LENDING',
  FINANCIAL_INVESTMENT = 'FINANCIAL_INVESTMENT',
  ADMINISTRATIVE = 'ADMINISTRATIVE',
  LAND_REQUISITION_DEMOLITION = 'LAND_REQUISITION_DEMOLITION',
  MEDICAL = 'MEDICAL',
  SCHOOL = 'SCHOOL',
  WORKPLACE_SAFETY = 'WORKPLACE_SAFETY',
  VETERANS_RIGHTS = 'VETERANS_RIGHTS',
  EPIDEMIC_RELATED = 'EPIDEMIC_RELATED',
  OTHER = 'OTHER',
}
bilingualEnum(DisputeCategory, 'DisputeCategory', '矛盾纠纷类别 / Dispute category', {
  MARRIAGE_RELATIONSHIP: '婚恋情感 / Marriage and relationships',
  FAMILY: '家庭（继承/赡养/抚养） / Family: inheritance, support, custody',
  DOMESTIC_VIOLENCE: '家庭暴力 / Domestic violence',
  NEIGHBOR: '邻里（通行/采光） / Neighbours: access, light',
  LAND_FOREST: '田地林权 / Land and forest rights',
  PROPERTY_MANAGEMENT: '小区物业 / Property management',
  CONTRACT: '合同 / Contract',
  LABOR_WAGES: '劳资（欠薪/工伤/劳动关系） / Labour and wages',
  PRIVATE_LENDING: '民间借贷 / Private lending',
  FINANCIAL_INVESTMENT: '涉众投资（P2P） / Mass investment schemes',
  ADMINISTRATIVE: '涉机构（行政/民生/社保） / With institutions: administration, welfare, social insurance',
  LAND_REQUISITION_DEMOLITION: '征地拆迁/违建拆除 / Land requisition and demolition',
  MEDICAL: '医患 / Doctor and patient',
  SCHOOL: '涉校涉生 / Schools and students',
  WORKPLACE_SAFETY: '安全生产/意外事故 / Workplace safety and accidents',
  VETERANS_RIGHTS: '涉军 / Veterans’ rights',
  EPIDEMIC_RELATED: '涉疫 / Epidemic-related',
  OTHER: '其他 / Other',
});

export enum DisputeSource {
  GRID_VISIT = 'GRID_VISIT',
  POLICE_CALL = 'POLICE_CALL',
  PETITION = 'PETITION',
  COURT = 'COURT',
  DEPARTMENT = 'DEPARTMENT',
  HOTLINE = 'HOTLINE',
  SELF_REPORT = 'SELF_REPORT',
}
bilingualEnum(DisputeSource, 'DisputeSource', '来源渠道 / Channel through which the dispute was reported', {
  GRID_VISIT: '网格走访 / Grid visit',
  POLICE_CALL: '110接处警 / Police call',
  PETITION: '信访渠道（仅为来源，不是风险要素） / Petition channel (a channel only, never a risk indicator)',
  COURT: '法院 / Court',
  DEPARTMENT: '部门移送 / Referred by a department',
  HOTLINE: '热线 / Hotline',
  SELF_REPORT: '当事人自报 / Reported by a party',
});

export enum DisputeStatus {
  REPORTED = 'REPORTED',
  ACCEPTED = 'ACCEPTED',
  IN_MEDIATION = 'IN_MEDIATION',
  RESOLVED = 'RESOLVED',
  REFERRED = 'REFERRED',
  CLOSED_UNRESOLVED = 'CLOSED_UNRESOLVED',
}
bilingualEnum(DisputeStatus, 'DisputeStatus', '办理状态 / Dispute status', {
  REPORTED: '已登记 / Reported',
  ACCEPTED: '已受理（网格长初审） / Accepted by the grid leader',
  IN_MEDIATION: '调解中 / In mediation',
  RESOLVED: '已化解 / Resolved',
  REFERRED: '已导入诉讼/仲裁 / Referred to litigation or arbitration',
  CLOSED_UNRESOLVED: '未化解办结 / Closed unresolved',
});

export enum DisputeLevel {
  GRID = 'GRID',
  VILLAGE = 'VILLAGE',
  STREET = 'STREET',
  CITY = 'CITY',
}
bilingualEnum(DisputeLevel, 'DisputeLevel', '化解层级 / Level handling the dispute', {
  GRID: '微事不出格 / Grid',
  VILLAGE: '小事不出村 / Village',
  STREET: '大事不出街 / Street',
  CITY: '市 / City',
});

export enum PartyRole {
  APPLICANT = 'APPLICANT',
  RESPONDENT = 'RESPONDENT',
  OTHER = 'OTHER',
}
bilingualEnum(PartyRole, 'PartyRole', '当事人角色 / Role of a party', {
  APPLICANT: '申请人 / Applicant',
  RESPONDENT: '被申请人 / Respondent',
  OTHER: '其他当事人 / Other party',
});

export enum StreetVenue {
  STREET_MEDIATION_COMMITTEE = 'STREET_MEDIATION_COMMITTEE',
  POLICE_MEDIATION_ROOM = 'POLICE_MEDIATION_ROOM',
  COURT_MEDIATION_ROOM = 'COURT_MEDIATION_ROOM',
  LABOR_ARBITRATION_ROOM = 'LABOR_ARBITRATION_ROOM',
  CIRCUIT_MICRO_COURT = 'CIRCUIT_MICRO_COURT',
}
bilingualEnum(StreetVenue, 'StreetVenue', '街道层级化解场所 / Street-level venue', {
  STREET_MEDIATION_COMMITTEE: '街道调委会 / Street mediation committee',
  POLICE_MEDIATION_ROOM: '驻所调解室 / Mediation room at the police station',
  COURT_MEDIATION_ROOM: '驻庭调解室 / Mediation room at the court',
  LABOR_ARBITRATION_ROOM: '劳动仲裁调解室 / Labour arbitration mediation room',
  CIRCUIT_MICRO_COURT: '智慧巡回微法庭 / Circuit micro-court',
});

export enum MediationOutcome {
  AGREEMENT = 'AGREEMENT',
  NO_AGREEMENT = 'NO_AGREEMENT',
  ADJOURNED = 'ADJOURNED',
}
bilingualEnum(MediationOutcome, 'MediationOutcome', '调解结果 / Outcome of a mediation session', {
  AGREEMENT: '达成协议 / Agreement reached',
  NO_AGREEMENT: '未达成协议 / No agreement',
  ADJOURNED: '择期再调 / Adjourned',
});
