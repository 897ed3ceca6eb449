// Enumerations of the organisation: jurisdiction levels, positions and capabilities (SPEC §2).
import { bilingualEnum } from '../../graphql/enums';

export enum JurisdictionLevel {
  CITY = 'CITY',
  STREET = 'STREET',
  VILLAGE = 'VILLAGE',
  GRID = 'GRID',
}
bilingualEnum(JurisdictionLevel, 'JurisdictionLevel', '辖区层级 / Jurisdiction level', {
  CITY: '市 / City',
  STREET: '街道/镇 / Street or town',
  VILLAGE: '村/社区 / Village or community',
  GRID: '网格 / Grid',
});

export const JURISDICTION_LEVEL_ORDER: readonly JurisdictionLevel[] = [
  JurisdictionLevel.CITY,
  JurisdictionLevel.STREET,
  JurisdictionLevel.VILLAGE,
  JurisdictionLevel.GRID,
];

export enum Position {
  WORKER = 'WORKER',
  LEADER = 'LEADER',
}
bilingualEnum(Position, 'Position', '职务 / Position', {
  WORKER: '工作人员 / Worker',
  LEADER: '领导 / Leader',
});

export enum Capability {
  ADMIN = 'ADMIN',
  AUDITOR = 'AUDITOR',
}
bilingualEnum(Capability, 'Capability', '特别权限 / Capability beyond the department', {
  ADMIN: '系统管理（账号与参考数据，无个人数据） / Users and reference data, no personal data',
  AUDITOR: '审计（审计日志，无个人数据） / Audit log, no personal data',
});
