// Enumerations of the organisation: jurisdiction levels, positions, capabilities and departments (SPEC §2).
import departments from '../../database/reference-data/departments.json';
import { bilingualEnum } from '../../graphql/enums';
import { DEPARTMENTS, type DepartmentCode as DepartmentCodeValue } from '../../permissions/policy';

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

/** The levels an ADMIN adds through the API; cities and streets come with the deployment. */
export enum AddedJurisdictionLevel {
  VILLAGE = 'VILLAGE',
  GRID = 'GRID',
}
bilingualEnum(
  AddedJurisdictionLevel,
  'AddedJurisdictionLevel',
  '可新增的辖区层级 / Level of a node an ADMIN adds',
  {
    VILLAGE: '村/社区（上级为街道） / Village or community, under a street',
    GRID: '网格（上级为村/社区） / Grid, under a village',
  },
);

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

/** What a dispute route matches on: its category, its source, or the street-level venue it went to. */
export enum DisputeRouteMatch {
  CATEGORY = 'CATEGORY',
  SOURCE = 'SOURCE',
  VENUE = 'VENUE',
}
bilingualEnum(DisputeRouteMatch, 'DisputeRouteMatch', '分流依据 / What a dispute route matches on', {
  CATEGORY: '纠纷类别 / The dispute’s category',
  SOURCE: '来源渠道 / The channel it came through',
  VENUE: '街道层级化解场所 / The street-level venue it was escalated to',
});

export enum ReorganisationKind {
  MOVE_GRID = 'MOVE_GRID',
  MERGE_GRIDS = 'MERGE_GRIDS',
}
bilingualEnum(ReorganisationKind, 'ReorganisationKind', '辖区调整 / Kind of reorganisation', {
  MOVE_GRID: '网格划转到另一村/社区 / A grid moved to another village',
  MERGE_GRIDS: '网格合并 / A grid merged into another grid',
});

/**
 * The departments (SPEC §2), as the permission table names them; their labels come from the same
 * reference data that fills the `departments` table.
 */
export const DepartmentCode = Object.fromEntries(DEPARTMENTS.map((code) => [code, code])) as {
  readonly [K in DepartmentCodeValue]: K;
};
export type DepartmentCode = DepartmentCodeValue;
bilingualEnum(
  DepartmentCode,
  'DepartmentCode',
  '部门编码 / Department code',
  Object.fromEntries(
    DEPARTMENTS.map((code) => {
      const department = departments.find((entry) => entry.code === code);
      if (!department) throw new Error(`departments.json has no department ${code}`);
      return [code, `${department.nameZh} / ${department.nameEn}`];
    }),
  ) as Record<DepartmentCodeValue, string>,
);
