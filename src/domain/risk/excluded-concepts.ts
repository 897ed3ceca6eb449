// What Concord never records (SPEC §1), as patterns over names: the schema's (the test
// test/permissions/excluded-concepts.test.ts walks every type, field, argument and enum value with the
// English rule) and every indicator catalog version's codes and names, which a new version may not use
// to bring one of them back.

/**
 * The English rule, the same the schema test applies: sexual orientation and gender identity, family
 * size and pregnancy, religion, ethnicity, political opinion, petitioning and lawful speech.
 */
export const EXCLUDED_CONCEPTS =
  /sexual|orientation|gender.?identity|lgbt|homosex|transgender|cohabit|affair|pregnan|children|child.?count|family.?size|household.?size|religio|belief|faith|worship|spiritual|ethnic|nationality|minzu|race|political|politics|party.?member|opinion|petitioner|petitioning|complainant|online.?speech|rights.?defen/i;

/** The same concepts in Chinese, for the Chinese names of catalog entries. */
export const EXCLUDED_CONCEPTS_ZH =
  /性取向|性倾向|同性|双性|跨性别|性别认同|变性|同居|婚外|出轨|情人|小三|怀孕|孕|生育|超生|子女数|子女人数|孩子数|几个孩子|家庭结构|家庭人口|宗教|信教|信仰|礼拜|教徒|修行|民族|种族|政治|政见|党员|观点|信访|上访|投诉|举报人|维权|网络言论|言论/;

/**
 * A petition is a channel a dispute arrives through (`source: PETITION`), never an indicator or a
 * status of a person (SPEC §1); nor is a lawful complaint.
 */
const PETITION_AS_INDICATOR = /petition|complain|信访|上访|投诉/i;

/** Why `text` names an excluded concept, or null. */
export function excludedConceptIn(text: string): string | null {
  const found =
    EXCLUDED_CONCEPTS.exec(text) ?? EXCLUDED_CONCEPTS_ZH.exec(text) ?? PETITION_AS_INDICATOR.exec(text);
  return found ? found[0] : null;
}
