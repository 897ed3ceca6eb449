// `npm run bench:city`: does a street's screen cost the same in a larger city? Two cities seeded by
// seed:scale (each in its own data directory, e.g. 100k and 1M persons) are opened in one run; the
// same street's dashboard, overdueFollowUps, monthlyFigures and name searches are measured on both in
// alternating windows, then at the large city the same screens over the whole city (what grows with the
// size of the scope), and every statement is EXPLAINed (sequential scans of growing tables, SQL time).
// Usage: npm run bench:city -- --small DIR --large DIR [--street S-C01.S01]
//        [--user NAME --password PW] [--city-user NAME] [--duration 8] [--connections 10] [--rounds 4]
//        [--warm-up S] [--out PATH]  (default bench/results.json, key citySize)
import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { loadConfig } from '../config';
import { dropDatabase, ensureDatabase, openDatabase, type OpenDatabase } from '../database/database';
import {
  argument,
  combine,
  DASHBOARD,
  drive,
  explainScenario,
  measure,
  MONTHLY,
  OVERDUE,
  seededCitySettings,
  signIn,
  startServer,
  storeResults,
  databaseServerPid,
  type RunSettings,
  type Figures,
  type Scenario,
  type Server,
} from './bench-kit';
import { runCli } from './run-cli';

interface Options extends RunSettings {
  /** The data directories of the two seeded cities. */
  small: string;
  large: string;
  /** A user of the whole city (seed:scale's CITY_CENTER leader), for the screens over the city. */
  cityUser: string;
}

function options(): Options {
  return {
    ...seededCitySettings(),
    small: path.resolve(argument('small')),
    large: path.resolve(argument('large')),
    cityUser: argument('city-user', 'scale.c01.city_center.leader'),
  };
}

/** A seeded city opened for measuring: a copy of its database, and an API process on the copy. */
interface City {
  label: string;
  database: OpenDatabase;
  adminUrl: string;
  copy: string;
  pool: Pool;
  server: Server;
  postgres: number | undefined;
  street: { id: string; persons: number; tiered: number };
  city: { id: string; persons: number };
}

const NAME_SEARCH = `query Names($j: ID!, $q: String!) { persons(first: 50, filter: { jurisdictionId: $j, nameContains: $q }) {
  totalCount edges { node { id name } } } }`;

async function openCity(label: string, dataDir: string, settings: Options): Promise<City> {
  const config = { ...loadConfig(), dataDir, databaseUrl: undefined };
  const database = await openDatabase(config, () => undefined);
  // Reads are audited: each run measures a fresh copy and drops it, as `npm run bench` does.
  const admin = new URL(database.url);
  admin.pathname = '/postgres';
  const source = decodeURIComponent(new URL(database.url).pathname.slice(1));
  const copy = `${source}_bench_city`;
  await database.dataSource.destroy();
  const started = Date.now();
  await dropDatabase(admin.toString(), copy);
  const url = await ensureDatabase(admin.toString(), copy, source);
  console.log(`${label}: copied ${source} to ${copy} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const pool = new Pool({ connectionString: url, max: 2 });
  const count = async (sql: string, parameters: unknown[]) =>
    Number((await pool.query<{ n: string }>(sql, parameters)).rows[0]?.n ?? 0);
  const node = async (code: string) => {
    const row = (
      await pool.query<{ id: string; path: string }>(`SELECT id, path FROM jurisdictions WHERE code = $1`, [
        code,
      ])
    ).rows[0];
    if (!row) throw new Error(`${label}: no jurisdiction ${code}; seed it with npm run seed:scale`);
    return row;
  };
  const street = await node(settings.street);
  const city = await node(settings.street.split('.')[0] ?? settings.street);
  const inScope = `FROM persons p JOIN jurisdictions g ON g.id = p.grid_id WHERE g.path LIKE $1 || '.%'`;
  const server = await startServer('full', url, [], 1, { CONCORD_DATA_DIR: dataDir });
  return {
    label,
    database,
    adminUrl: admin.toString(),
    copy,
    pool,
    server,
    postgres: await databaseServerPid(pool),
    street: {
      id: street.id,
      persons: await count(`SELECT count(*) AS n ${inScope}`, [street.path]),
      tiered: await count(`SELECT count(*) AS n ${inScope} AND p.tier <> 'NONE'`, [street.path]),
    },
    city: { id: city.id, persons: await count(`SELECT count(*) AS n ${inScope}`, [city.path]) },
  };
}

async function closeCity(city: City): Promise<void> {
  city.server.process.kill('SIGTERM');
  await city.pool.end();
  await new Promise((resolve) => setTimeout(resolve, 500));
  await dropDatabase(city.adminUrl, city.copy);
  await city.database.close();
}

/** The screens of one scope: a street's or the city's. */
function screens(jurisdictionId: string): Scenario[] {
  const j = () => ({ j: jurisdictionId });
  return [
    { name: 'dashboard', query: DASHBOARD, variables: j },
    { name: 'overdueFollowUps', query: OVERDUE, variables: j },
    {
      name: 'monthlyFigures',
      query: MONTHLY,
      variables: () => ({ ...j(), m: new Date().toISOString().slice(0, 7) }),
    },
    // One and two characters: the commonest surname, and a common surname and given-name character.
    { name: 'nameSearch1', query: NAME_SEARCH, variables: () => ({ ...j(), q: '王' }) },
    { name: 'nameSearch2', query: NAME_SEARCH, variables: () => ({ ...j(), q: '王秀' }) },
  ];
}

/**
 * `a` and `b` measured in turns, `rounds` times, each turn in the order ABBA then BAAB: a slow spell of
 * the shared machine falls on both rather than on one. Each side's figures are its windows' medians.
 */
async function inTurns(
  a: () => Promise<Figures>,
  b: () => Promise<Figures>,
  rounds: number,
): Promise<[Figures, Figures]> {
  const windows: [Figures[], Figures[]] = [[], []];
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? [0, 1, 1, 0] : [1, 0, 0, 1];
    for (const side of order) windows[side]!.push(await (side === 0 ? a() : b()));
  }
  return [combine(windows[0]), combine(windows[1])];
}

/** The statements of one request with their plans: sequential scans, and the SQL time by EXPLAIN ANALYZE. */
async function plansOf(city: City, token: string, scenario: Scenario) {
  const plan = await explainScenario(city.server.url, token, scenario, city.pool, true);
  return {
    statements: plan.statements,
    sqlMs: plan.executionMs,
    sequentialScansOfLargeTables: plan.sequentialScansOfLargeTables,
  };
}

async function main(): Promise<void> {
  const settings = options();
  const cities: City[] = [];
  try {
    const small = await openCity('small', settings.small, settings);
    cities.push(small);
    const large = await openCity('large', settings.large, settings);
    cities.push(large);
    for (const city of cities)
      console.log(
        `${city.label}: ${city.city.persons} persons; street ${settings.street}: ${city.street.persons} persons, ${city.street.tiered} tiered`,
      );
    const smallToken = await signIn(small.server, settings);
    const largeToken = await signIn(large.server, settings);
    const cityToken = await signIn(large.server, { ...settings, user: settings.cityUser });
    const warmUp = { ...settings, duration: settings.warmUp };
    const results: Record<string, unknown> = {
      measuredAt: new Date().toISOString(),
      settings: { ...settings, password: undefined, totpSecret: undefined, out: undefined },
      machine: { cpus: os.cpus().length, node: process.version },
      cities: Object.fromEntries(cities.map((c) => [c.label, { persons: c.city.persons, street: c.street }])),
    };

    const explain: (() => Promise<void>)[] = [];
    // 1. The same street in both cities.
    const sameStreet: Record<string, unknown> = {};
    const smallScreens = screens(small.street.id);
    const largeScreens = screens(large.street.id);
    for (const [index, scenario] of smallScreens.entries()) {
      const twin = largeScreens[index] as Scenario;
      await drive(small.server.url, smallToken, scenario, warmUp);
      await drive(large.server.url, largeToken, twin, warmUp);
      const [atSmall, atLarge] = await inTurns(
        () => measure(small.server, smallToken, scenario, settings, small.postgres),
        () => measure(large.server, largeToken, twin, settings, large.postgres),
        settings.rounds,
      );
      sameStreet[scenario.name] = {
        small: atSmall,
        large: atLarge,
        p50LargeOverSmall: Number((atLarge.p50Ms / Math.max(atSmall.p50Ms, 0.1)).toFixed(2)),
      };
      explain.push(async () => {
        Object.assign(sameStreet[scenario.name] as object, {
          plansSmall: await plansOf(small, smallToken, scenario),
          plansLarge: await plansOf(large, largeToken, twin),
        });
      });
      console.log(scenario.name, {
        p50Small: atSmall.p50Ms,
        p50Large: atLarge.p50Ms,
        ratio: (sameStreet[scenario.name] as { p50LargeOverSmall: number }).p50LargeOverSmall,
      });
    }
    results.sameStreet = sameStreet;

    // 2. What grows with the scope: the street's screens against the whole large city's, one user.
    const byScope: Record<string, unknown> = {};
    const streetScreens = screens(large.street.id);
    const cityScreens = screens(large.city.id);
    for (const [index, scenario] of streetScreens.entries()) {
      const whole = cityScreens[index] as Scenario;
      if (scenario.name.startsWith('nameSearch')) continue;
      await drive(large.server.url, cityToken, whole, {
        ...settings,
        duration: Math.max(1, settings.warmUp / 3),
      });
      const [street, city] = await inTurns(
        () => measure(large.server, cityToken, scenario, settings, large.postgres),
        () => measure(large.server, cityToken, whole, settings, large.postgres),
        Math.max(1, Math.floor(settings.rounds / 2)),
      );
      byScope[scenario.name] = {
        street,
        city,
        p50CityOverStreet: Number((city.p50Ms / Math.max(street.p50Ms, 0.1)).toFixed(2)),
      };
      explain.push(async () => {
        Object.assign(byScope[scenario.name] as object, {
          plansStreet: await plansOf(large, cityToken, scenario),
          plansCity: await plansOf(large, cityToken, whole),
        });
      });
      console.log(`${scenario.name} by scope`, {
        p50Street: street.p50Ms,
        p50City: city.p50Ms,
        ratio: (byScope[scenario.name] as { p50CityOverStreet: number }).p50CityOverStreet,
      });
    }
    results.byScope = byScope;
    // Measuring is over: now the plans (asking a server for its SQL slows it for good; see statementsOf).
    for (const step of explain) await step();
    for (const [part, entries] of [
      ['same street', sameStreet],
      ['by scope', byScope],
    ] as const)
      for (const [name, entry] of Object.entries(entries))
        console.log(
          `plans, ${part}, ${name}:`,
          JSON.stringify(
            Object.fromEntries(Object.entries(entry as object).filter(([k]) => k.startsWith('plans'))),
          ),
        );

    // Kept under citySize beside `npm run bench`'s figures (which leaves the key in place).
    await storeResults(settings.out, 'citySize', results);
    const failed = [...Object.entries(sameStreet), ...Object.entries(byScope)].flatMap(([name, entry]) =>
      Object.entries(entry as Record<string, unknown>)
        .filter(([, f]) => typeof f === 'object' && f !== null && 'errors' in f)
        .filter(([, f]) => (f as Figures).errors > 0 || (f as Figures).non2xx > 0)
        .map(([side]) => `${name} (${side})`),
    );
    if (failed.length > 0) {
      console.error(`the benchmark is not valid: failed requests in ${failed.join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    for (const city of cities.reverse()) await closeCity(city);
  }
}

runCli(main, { failure: 'bench:city failed' });
