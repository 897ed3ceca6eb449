// Labels at run time (issue 22 item 7): production turns introspection off, so a front-end cannot
// read the Chinese labels in the schema's descriptions. `labels` serves them from the schema the
// server runs — the descriptions bilingualEnum wrote — so the two cannot disagree.
import { GraphQLEnumType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { Arg, Field, Info, ObjectType, Query, Resolver } from 'type-graphql';
import { badUserInput } from './errors';

@ObjectType('EnumValueLabel', { description: '枚举值标签 / The labels of one enum value' })
export class EnumValueLabel {
  @Field({ description: '枚举值 / The value as the API sends it' })
  value!: string;

  @Field({ description: '中文标签 / Chinese label' })
  zh!: string;

  @Field({ description: '英文标签 / English label' })
  en!: string;
}

@ObjectType('EnumLabels', { description: '枚举标签 / The labels of an enum and of each of its values' })
export class EnumLabels {
  @Field({ description: '枚举名 / The enum’s name in the schema' })
  enum!: string;

  @Field({ description: '中文名称 / Chinese name' })
  zh!: string;

  @Field({ description: '英文名称 / English name' })
  en!: string;

  @Field(() => [EnumValueLabel], {
    description: '各值的标签，按声明顺序 / Its values, in the order they are declared',
  })
  values!: EnumValueLabel[];
}

/** "中文 / English" as bilingualEnum writes it; a description without the separator is both. */
function bilingual(description: string | null | undefined): { zh: string; en: string } {
  const text = description ?? '';
  const at = text.indexOf(' / ');
  return at < 0 ? { zh: text, en: text } : { zh: text.slice(0, at), en: text.slice(at + 3) };
}

const labelsBySchema = new WeakMap<GraphQLSchema, EnumLabels[]>();

/** Every enum of `schema` with its labels, by name; computed once per schema. */
export function enumLabels(schema: GraphQLSchema): EnumLabels[] {
  let labels = labelsBySchema.get(schema);
  if (!labels) {
    labels = Object.values(schema.getTypeMap())
      .filter(
        (type): type is GraphQLEnumType => type instanceof GraphQLEnumType && !type.name.startsWith('__'),
      )
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((type) => ({
        enum: type.name,
        ...bilingual(type.description),
        values: type.getValues().map((value) => ({ value: value.name, ...bilingual(value.description) })),
      }));
    labelsBySchema.set(schema, labels);
  }
  return labels;
}

@Resolver()
export class LabelsResolver {
  @Query(() => [EnumLabels], {
    description:
      '枚举的中英文标签（生产环境关闭自省时供界面使用） / Chinese and English labels of every enum (or of one), for screens when introspection is off',
  })
  labels(
    @Info() info: GraphQLResolveInfo,
    @Arg('enum', () => String, {
      nullable: true,
      description: '只要这个枚举（名称如 DisputeStatus） / Only this enum (a name such as DisputeStatus)',
    })
    name?: string | null,
  ): EnumLabels[] {
    const all = enumLabels(info.schema);
    if (name === null || name === undefined) return all;
    const one = all.find((labels) => labels.enum === name);
    if (!one) throw badUserInput(`No enum named ${name.slice(0, 100)}`, 'enum');
    return [one];
  }
}
