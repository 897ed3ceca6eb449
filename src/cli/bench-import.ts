// `npm run bench:import -- [--persons 100000] [--without-feed-triggers]`: the bulk-import benchmark
// (issue 21 item 3). Writes a CSV of N synthetic persons spread over the grids of the database's first
// city (the demo city is loaded into an empty database), imports it as a fresh city-level service
// account through the same code as `npm run import`, then imports it again (every row unchanged), and
// prints persons/s for both and the time of each phase. --without-feed-triggers disables the change
// feed's trigger on persons for the first run (as the owner, restored afterwards), to measure its share.
// Run it on a data directory of its own: CONCORD_DATA_DIR=/tmp/bench-import npm run bench:import
import 'reflect-metadata';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { loadDemoData } from '../database/demo-data';
import { ImportFormat, ImportKind } from '../domain/imports/import.inputs';
import type { ImportPhase } from '../domain/imports/import.service';
import { importFile, progressReporter } from './import-command';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈',
];
const GIVEN = [
  ...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志红梅玉兵斌云辉鹏飞宇浩然欣怡子涵雨轩',
];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const DAY = 86_400_000;
const FIRST_BIRTH = Date.UTC(1940, 0, 1);
const BIRTH_DAYS = 25_000;

function idNumber(area: string, birthDate: string, sequence: number): string {
  const body = `${area}${birthDate.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
  let sum = 0;
  for (let index = 0; index < 17; index += 1) sum += Number(body[index]) * (ID_WEIGHTS[index] ?? 0);
  return `${body}${'10X98765432'[sum % 11]}`;
}

/** Writes the benchmark's CSV: every row valid, every ID number new (the area code is the run's own). */
async function writeCsv(file: string, persons: number, grids: string[], area: string): Promise<void> {
  const out = createWriteStream(file);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await write('externalId,name,gender,birthDate,idNumber,phone,address,gridId,residency,occupation\n');
  for (let index = 0; index < persons; index += 1) {
    const birthDate = new Date(FIRST_BIRTH + (index % BIRTH_DAYS) * DAY).toISOString().slice(0, 10);
    const sequence = Math.floor(index / BIRTH_DAYS);
    const name = `${SURNAMES[index % SURNAMES.length]}${GIVEN[(index * 7) % GIVEN.length]}${
      index % 3 ? (GIVEN[(index * 13) % GIVEN.length] ?? '') : ''
    }`;
    const gender = sequence % 2 ? 'FEMALE' : 'MALE';
    await write(
      `B-${index},${name},${gender},${birthDate},${idNumber(area, birthDate, sequence * 2 + (gender === 'FEMALE' ? 0 : 1))},` +
        `138${String(index).padStart(8, '0')},幸福路 ${index % 500} 号,${grids[index % grids.length]},` +
        `${index % 5 ? 'REGISTERED' : 'MIGRANT'},${index % 4 ? '务农' : ''}\n`,
    );
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      persons: { type: 'string', default: '100000' },
      'without-feed-triggers': { type: 'boolean', default: false },
    },
  });
  const persons = Number(values.persons);
  if (!Number.isInteger(persons) || persons < 1) throw new Error('--persons must be a positive whole number');
  const config = loadConfig();
  const database = await openCliDatabase(config, (message) => console.log(message));
  const directory = await mkdtemp(join(tmpdir(), 'concord-bench-import-'));
  try {
    await database.asOwner((owner) => loadDemoData(owner, new Date(), config));
    const dataSource = database.dataSource;
    const [city] = (await dataSource.query(
      `SELECT id, path FROM jurisdictions WHERE level = 'CITY' ORDER BY path LIMIT 1`,
    )) as { id: string; path: string }[];
    if (!city) throw new Error('the database has no city');
    const grids = (
      (await dataSource.query(
        `SELECT j.id FROM jurisdictions j WHERE j.level = 'GRID' AND (j.path = $1 OR j.path LIKE $1 || '.%')
            AND NOT EXISTS (SELECT 1 FROM jurisdiction_reorganisations r WHERE r.retired_id = j.id)
          ORDER BY j.path`,
        [city.path],
      )) as { id: string }[]
    ).map((row) => row.id);
    const run = Date.now();
    const username = `bench.import.${run}`;
    await dataSource.query(
      `INSERT INTO users (kind, username, display_name, department_code, position, jurisdiction_id, capabilities, password_hash)
       VALUES ('SERVICE', $1, '导入基准 / import benchmark', 'COMPREHENSIVE_GOVERNANCE', 'WORKER', $2, '{}', '!service-account-has-no-password')`,
      [username, city.id],
    );
    const file = join(directory, 'persons.csv');
    // An area code of this run's own (10xxxx is unused by the demo data): its ID numbers are all new.
    const area = String(100000 + (Math.floor(run / 1000) % 90000)).padStart(6, '0');
    let started = Date.now();
    await writeCsv(file, persons, grids, area);
    console.log(
      `wrote ${persons} persons over ${grids.length} grids in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const timed = async (label: string) => {
      const phases = new Map<ImportPhase, number>();
      const reporter = progressReporter(process.stdout);
      const begun = Date.now();
      const outcome = await importFile(
        config,
        dataSource,
        { file, as: username, kind: ImportKind.PERSONS, format: ImportFormat.CSV, dryRun: false },
        (phase, done, total) => {
          if (!phases.has(phase)) phases.set(phase, Date.now());
          reporter.progress(phase, done, total);
        },
      );
      reporter.stop();
      const seconds = (Date.now() - begun) / 1000;
      if (outcome.problems.length > 0)
        throw new Error(`${label}: ${JSON.stringify(outcome.problems.slice(0, 5))}`);
      const marks = [['read', begun] as const, ...[...phases].filter(([phase]) => phase !== 'read')];
      const split = marks
        .map(
          ([phase, at], index) =>
            `${phase} ${(((marks[index + 1]?.[1] ?? begun + seconds * 1000) - at) / 1000).toFixed(1)} s`,
        )
        .join(', ');
      console.log(
        `${label}: created ${outcome.created}, updated ${outcome.updated}, unchanged ${outcome.unchanged} in ` +
          `${seconds.toFixed(1)} s = ${Math.round(persons / seconds)} persons/s (${split})`,
      );
    };

    const withoutTriggers = values['without-feed-triggers'];
    if (withoutTriggers) {
      await database.asOwner((owner) =>
        owner.query(`ALTER TABLE persons DISABLE TRIGGER persons_record_changes`),
      );
    }
    try {
      started = Date.now();
      await timed(withoutTriggers ? 'first import, feed trigger on persons disabled' : 'first import');
    } finally {
      if (withoutTriggers) {
        await database.asOwner((owner) =>
          owner.query(`ALTER TABLE persons ENABLE TRIGGER persons_record_changes`),
        );
      }
    }
    await timed('same file again');
  } finally {
    await rm(directory, { recursive: true, force: true });
    await database.close();
  }
}

runCli(main, {
  failure: 'bench:import failed',
  hint: 'Run it on a data directory of its own: CONCORD_DATA_DIR=/tmp/bench-import npm run bench:import',
});
