// Enumerations of risk assessment: tiers and indicator categories (SPEC §3 Indicator catalog, Tier).
import { bilingualEnum } from '../../graphql/enums';

export enum Tier {
  NONE = 'NONE',
  YELLOW = 'YELLOW',
  ORANGE = 'ORANGE',
  RED = 'RED',
}
bilingualEnum(Tier, 'Tier', '预警级别 / Tier, computed from how many element categories apply', {
  NONE: '无 / None: no element category applies',
  YELLOW: '异常级 / Yellow: one element category applies',
  ORANGE: '风险级 / Orange: two element categories apply',
  RED: '危险级 / Red: all three element categories apply',
});

export enum IndicatorCategory {
  CHARACTER = 'CHARACTER',
  BEHAVIOR = 'BEHAVIOR',
  EVENT = 'EVENT',
}
bilingualEnum(IndicatorCategory, 'IndicatorCategory', '识别要素类别 / Element category', {
  CHARACTER: '性格 / Character, from the latest assessment',
  BEHAVIOR: '行为 / Behaviour, from the latest assessment',
  EVENT: '事件 / Event: party to at least one open dispute (never entered by hand)',
});
