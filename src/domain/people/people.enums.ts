// Enumerations of person records (SPEC §3 Person). Nothing from SPEC §1 is, or may be, listed here.
import { bilingualEnum } from '../../graphql/enums';

export enum Gender {
  MALE = 'MALE',
  FEMALE = 'FEMALE',
  UNKNOWN = 'UNKNOWN',
}
bilingualEnum(Gender, 'Gender', '性别（以身份证登记为准） / Gender as registered on the ID card', {
  MALE: '男 / Male',
  FEMALE: '女 / Female',
  UNKNOWN: '未登记 / Not recorded',
});

export enum Residency {
  REGISTERED = 'REGISTERED',
  MIGRANT = 'MIGRANT',
}
bilingualEnum(Residency, 'Residency', '居住类型 / Residency', {
  REGISTERED: '常住 / Registered resident',
  MIGRANT: '流动 / Migrant (employer and landlord share responsibility)',
});

export enum SpecialStatus {
  COMMUNITY_CORRECTIONS = 'COMMUNITY_CORRECTIONS',
  RELEASED_PRISONER = 'RELEASED_PRISONER',
  DRUG_INVOLVED = 'DRUG_INVOLVED',
  SEVERE_MENTAL_DISORDER_WITH_INCIDENT = 'SEVERE_MENTAL_DISORDER_WITH_INCIDENT',
  NO_LIVELIHOOD = 'NO_LIVELIHOOD',
  VETERAN = 'VETERAN',
  DISABILITY = 'DISABILITY',
}
bilingualEnum(
  SpecialStatus,
  'SpecialStatus',
  '特殊人群身份（不提高预警级别，只列入待评估） / Special status: never raises the tier, only asks for an assessment',
  {
    COMMUNITY_CORRECTIONS: '社区矫正对象 / Under community corrections (JUSTICE)',
    RELEASED_PRISONER: '刑满释放人员 / Released prisoner (JUSTICE)',
    DRUG_INVOLVED: '涉毒人员 / Drug-involved (POLICE)',
    SEVERE_MENTAL_DISORDER_WITH_INCIDENT:
      '肇事肇祸严重精神障碍患者 / Severe mental disorder with incident (SOCIAL_AFFAIRS)',
    NO_LIVELIHOOD: '无生活来源（含流浪） / No means of livelihood, incl. homelessness (CIVIL_AFFAIRS)',
    VETERAN: '退役军人 / Veteran (VETERANS)',
    DISABILITY: '残疾人 / Disability (DISABLED_FEDERATION)',
  },
);

/** An age group instead of an exact age, for those who read the ID number masked (SPEC §4). */
export enum AgeGroup {
  MINOR = 'MINOR',
  ADULT = 'ADULT',
  SENIOR = 'SENIOR',
}
bilingualEnum(AgeGroup, 'AgeGroup', '年龄段 / Age group', {
  MINOR: '未成年（不满18岁） / Under 18',
  ADULT: '成年（18–59岁） / 18 to 59',
  SENIOR: '老年（60岁及以上） / 60 and over',
});
