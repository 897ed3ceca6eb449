// GraphQL input and payload of bulk import (issue 21 item 3, SPEC §5a): a small file in the request;
// large files go through `npm run import` (src/cli/import.ts), which runs the same service.
import { IsBoolean, IsEnum, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ErrorCode } from '../../graphql/errors';
import { bilingualEnum } from '../../graphql/enums';

export enum ImportKind {
  HOUSEHOLDS = 'HOUSEHOLDS',
  PERSONS = 'PERSONS',
  DISPUTES = 'DISPUTES',
}
bilingualEnum(ImportKind, 'ImportKind', '导入的记录种类 / Which records a file holds', {
  HOUSEHOLDS: '户 / Households',
  PERSONS: '人员 / Persons',
  DISPUTES: '矛盾纠纷 / Disputes',
});

export enum ImportFormat {
  CSV = 'CSV',
  NDJSON = 'NDJSON',
}
bilingualEnum(ImportFormat, 'ImportFormat', '文件格式 / File format', {
  CSV: 'CSV，首行为列名 / CSV with a header row',
  NDJSON: '每行一个 JSON 对象 / One JSON object per line',
});

/** The largest file the mutation takes; the request body limit usually binds first. */
export const IMPORT_CONTENT_MAX = 2_000_000;

@InputType({
  description:
    '批量导入（按外部编号幂等） / Import households, persons or disputes from a file; each row carries an ' +
    'externalId, and importing the same file again changes nothing. Large files: `npm run import`',
})
export class ImportRecordsInput {
  @Field(() => ImportKind)
  @IsEnum(ImportKind)
  kind: ImportKind;

  @Field(() => ImportFormat)
  @IsEnum(ImportFormat)
  format: ImportFormat;

  @Field({ description: '文件内容 / The file' })
  @MaxLength(IMPORT_CONTENT_MAX)
  content: string;

  @Field({
    defaultValue: false,
    description: '仅校验，不写入 / Check every row and write nothing',
  })
  @IsBoolean()
  dryRun: boolean;
}

@ObjectType({
  description: '导入问题 / A problem with one row (or the whole file): nothing of the file was written',
})
export class ImportProblem {
  @Field(() => Int, {
    nullable: true,
    description: '行号（从 1 起，CSV 表头为第 1 行） / Line of the file; null for the file as a whole',
  })
  line: number | null;

  @Field(() => String, { nullable: true, description: '列名 / Column (field) of the row' })
  field: string | null;

  @Field({ description: '说明 / What is wrong and how to fix it' })
  message: string;

  @Field(() => ErrorCode, { description: '代码 / Code' })
  code: ErrorCode;

  @Field(() => ID, {
    nullable: true,
    description:
      '已登记的同一人 / The person already on record with this ID number, when you may see them and read their number',
  })
  existingPersonId: string | null;
}

@ObjectType({
  description:
    '导入结果 / What an import did (or, with dryRun, would do). Counts only of the caller’s own rows',
})
export class ImportRecordsPayload {
  @Field(() => Int, { description: '新建 / Records created' })
  created: number;

  @Field(() => Int, { description: '更新 / Records updated: the row changed since it was last imported' })
  updated: number;

  @Field(() => Int, { description: '未变 / Rows imported before, unchanged' })
  unchanged: number;

  @Field({ description: '仅校验 / Nothing was written (dryRun)' })
  dryRun: boolean;

  @Field(() => [ImportProblem])
  userErrors: ImportProblem[];
}
