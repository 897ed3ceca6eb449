// The permission matrix a reviewer reads (issue 24 item 6): schema/permissions.md with identical columns
// merged and a section per department, and schema/permissions.html, one self-contained page with a
// department/position picker, a field search and the changes since the last release marked. Generated
// over every department × position × field, both must say what policy.ts decides; the page loads
// nothing from outside and, in a real headless Chromium, shows each account's decisions.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';
import departmentNames from '../../src/database/reference-data/departments.json';
import { buildBareSchema } from '../../src/graphql/schema';
import {
  ALL_OTHERS,
  buildMatrix,
  DECISION_LETTER,
  parseAccounts,
  parseWho,
  renderMarkdown,
  snapshotOf,
  type PermissionMatrix,
  type ReleaseSnapshot,
} from '../../src/permissions/matrix';
import { renderHtml, type PageData } from '../../src/permissions/matrix-page';
import {
  allPrincipals,
  decideField,
  DEPARTMENTS,
  FIELD_POLICY,
  OPERATION_POLICY,
} from '../../src/permissions/policy';

const CHROMIUM = '/usr/bin/chromium';
/** The size of schema/permissions.md when the issue was filed, with 42 columns in every table. */
const OLD_MARKDOWN_BYTES = 86_000;
const principals = allPrincipals();
const LETTER_OF_SYMBOL: Record<string, string> = { R: 'R', M: 'M', '·': '-' };

let matrix: PermissionMatrix;
let previous: ReleaseSnapshot;
let markdown: string;
let html: string;

/** Expected letter of `Type.field` for a principal label, straight from the policy. */
function expectedField(key: string, label: string): string {
  const principal = principals.find((p) => p.label === label)?.principal;
  if (!principal) throw new Error(`no principal ${label}`);
  return DECISION_LETTER[decideField(FIELD_POLICY[key], principal)];
}
function expectedOperation(key: string, label: string): string {
  const principal = principals.find((p) => p.label === label)?.principal;
  if (!principal) throw new Error(`no principal ${label}`);
  return OPERATION_POLICY[key]?.includes(principal) ? 'R' : '-';
}

/** The Markdown tables under `## heading`: header and rows, cells trimmed. */
function tableUnder(heading: string): string[][] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const rest = markdown.slice(start + heading.length + 5);
  const end = rest.indexOf('\n## ');
  return (end < 0 ? rest : rest.slice(0, end))
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .map((line) => line.slice(2, -2).split(' | '));
}

beforeAll(async () => {
  matrix = buildMatrix(await buildBareSchema());
  // A release whose decisions differ from today's in two places, with a field since removed: what the
  // Markdown and the page mark is then known.
  previous = snapshotOf(matrix, 'release-test');
  const policeWorker = matrix.principals.indexOf('POLICE/WORKER');
  const phone = previous.fields['Person.phone'] ?? '';
  previous.fields['Person.phone'] = `${phone.slice(0, policeWorker)}-${phone.slice(policeWorker + 1)}`;
  delete previous.fields['Person.occupation'];
  previous.fields['Person.nickname'] = '-'.repeat(matrix.principals.length);
  markdown = renderMarkdown(matrix, previous, departmentNames);
  html = renderHtml(matrix, previous, departmentNames);
});

describe('schema/permissions.md', () => {
  test('every type table, with its merged columns, says what the policy decides for every account and field', () => {
    let cells = 0;
    for (const [typeName, fields] of Object.entries(matrix.types)) {
      const [header = [], ...rows] = tableUnder(typeName);
      const columns = header
        .slice(1)
        .map((heading) => (heading === ALL_OTHERS ? [] : parseAccounts(heading)));
      const named = new Set(columns.flat());
      const others = matrix.principals.filter((label) => !named.has(label));
      const resolved = columns.map((members, index) => (header[index + 1] === ALL_OTHERS ? others : members));
      // Every account is in exactly one column.
      expect(resolved.flat().sort()).toEqual([...matrix.principals].sort());
      expect(rows.map((row) => row[0])).toEqual(
        Object.keys(fields).map((field) => `\`${typeName}.${field}\``),
      );
      for (const row of rows) {
        const key = (row[0] ?? '').replace(/`/g, '');
        resolved.forEach((members, index) => {
          for (const label of members) {
            expect([key, label, LETTER_OF_SYMBOL[row[index + 1] ?? '']]).toEqual([
              key,
              label,
              expectedField(key, label),
            ]);
            cells += 1;
          }
        });
      }
    }
    expect(cells).toBe(
      Object.values(matrix.types).reduce((n, f) => n + Object.keys(f).length, 0) * principals.length,
    );
  });

  test('the operations table names exactly who may run each operation', () => {
    const [, ...rows] = tableUnder('Operations');
    expect(rows.length).toBe(Object.keys(matrix.operations).length);
    for (const [operation = '', who = ''] of rows) {
      const key = operation.replace(/`/g, '');
      const runs = parseWho(who, matrix.principals).sort();
      expect([key, runs]).toEqual([
        key,
        matrix.principals.filter((label) => expectedOperation(key, label) === 'R').sort(),
      ]);
    }
  });

  test('a section per department says what it reads, reads masked, may not read, and its row scope', () => {
    for (const department of DEPARTMENTS) {
      const heading = markdown
        .split('\n')
        .find(
          (line) =>
            line.startsWith('### ') &&
            line
              .split(' · ')
              .some((part) => part.startsWith(`### ${department} `) || part.startsWith(`${department} `)),
        );
      expect([department, heading !== undefined]).toEqual([department, true]);
      const body =
        markdown.slice(markdown.indexOf(heading ?? '') + (heading ?? '').length).split('\n### ')[0] ?? '';
      expect(body).toContain(`**Row scope**`);
      expect(body).toContain(matrix.rowScope[`${department}/WORKER`] ?? '');
      const worker = `${department}/WORKER`;
      const typesIn = (prefix: string) =>
        (body.split('\n').find((line) => line.startsWith(prefix)) ?? '')
          .slice(prefix.length)
          .replace(/[;.]$/, '')
          .split(', ')
          .filter(Boolean);
      for (const typeName of typesIn('- every field of ')) {
        for (const field of Object.keys(matrix.types[typeName] ?? {}))
          expect([`${typeName}.${field}`, expectedField(`${typeName}.${field}`, worker)]).toEqual([
            `${typeName}.${field}`,
            'R',
          ]);
      }
      for (const typeName of typesIn('- nothing of ')) {
        for (const field of Object.keys(matrix.types[typeName] ?? {}))
          expect([`${typeName}.${field}`, expectedField(`${typeName}.${field}`, worker)]).toEqual([
            `${typeName}.${field}`,
            '-',
          ]);
      }
      for (const line of body
        .split('\n')
        .filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && !l.startsWith('| type'))) {
        const [typeName = '', , masked = '', denied = ''] = line.slice(2, -2).split(' | ');
        const list = (cell: string) =>
          cell === '—' ? [] : cell === 'all' ? Object.keys(matrix.types[typeName] ?? {}) : cell.split(', ');
        for (const field of list(masked))
          expect([`${typeName}.${field}`, expectedField(`${typeName}.${field}`, worker)]).toEqual([
            `${typeName}.${field}`,
            'M',
          ]);
        for (const field of list(denied))
          expect([`${typeName}.${field}`, expectedField(`${typeName}.${field}`, worker)]).toEqual([
            `${typeName}.${field}`,
            '-',
          ]);
      }
    }
  });

  test('the changes since the last release are listed', () => {
    const [, ...rows] = tableUnder('Changes since the last release (release-test)');
    expect(rows).toEqual(
      expect.arrayContaining([
        ['`Person.phone`', 'POLICE W: · → R'],
        ['`Person.occupation`', 'added'],
        ['`Person.nickname`', 'removed'],
      ]),
    );
    expect(rows).toHaveLength(3);
  });

  test('it is well under the old 86 kB', () => {
    expect(Buffer.byteLength(markdown)).toBeLessThan(OLD_MARKDOWN_BYTES * 0.8);
  });
});

describe('schema/permissions.html', () => {
  function data(): PageData {
    const match = /<script type="application\/json" id="matrix-data">([^<]*)<\/script>/.exec(html);
    return JSON.parse(match?.[1] ?? 'null');
  }

  test('its data says what the policy decides for every account, field and operation', () => {
    const page = data();
    expect(page.principals).toEqual(matrix.principals);
    for (const [key, letters] of Object.entries(page.fields)) {
      page.principals.forEach((label, index) =>
        expect([key, label, letters[index]]).toEqual([key, label, expectedField(key, label)]),
      );
    }
    for (const [key, letters] of Object.entries(page.operations)) {
      page.principals.forEach((label, index) =>
        expect([key, label, letters[index]]).toEqual([key, label, expectedOperation(key, label)]),
      );
    }
    expect(Object.keys(page.fields).length).toBe(
      Object.values(matrix.types).reduce((n, f) => n + Object.keys(f).length, 0),
    );
    expect(Object.keys(page.previous).sort()).toEqual(['Person.occupation', 'Person.phone']);
    expect(page.removed).toEqual(['Person.nickname']);
  });

  test('it references nothing outside itself, and its policy allows only its own inline style and script', () => {
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<link|<img|<iframe|@import|url\(/i);
    const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(policy).toMatch(/^default-src 'none';/);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const hash = (text: string) => createHash('sha256').update(text).digest('base64');
    expect(policy).toContain(`style-src 'sha256-${hash(style)}'`);
    expect(policy).toContain(`script-src 'sha256-${hash(script)}'`);
  });

  const inChromium = existsSync(CHROMIUM) ? describe : describe.skip;
  inChromium(
    `in headless Chromium${existsSync(CHROMIUM) ? '' : ` (SKIPPED: ${CHROMIUM} is not installed)`}`,
    () => {
      let browser: Browser;
      let file: string;
      beforeAll(async () => {
        file = path.join(await mkdtemp(path.join(os.tmpdir(), 'matrix-')), 'permissions.html');
        await writeFile(file, html);
        browser = await chromium.launch({
          executablePath: CHROMIUM,
          headless: true,
          args: ['--no-sandbox', '--disable-gpu'],
        });
      }, 60_000);
      afterAll(async () => browser?.close());

      test('the picker shows each department and position its decisions, the search and the changes work, nothing else loads', async () => {
        const context = await browser.newContext();
        const outside: string[] = [];
        await context.route('**/*', async (route) => {
          const url = route.request().url();
          if (url.startsWith('file:')) await route.continue();
          else {
            outside.push(url);
            await route.abort();
          }
        });
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('pageerror', (error) => problems.push(error.message));
        page.on('console', (message) => {
          if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
        });
        await page.goto(`file://${file}`);
        const rows = page.locator('#rows tr[data-key]');
        for (const department of DEPARTMENTS) {
          await page.selectOption('#department', department);
          for (const position of ['WORKER', 'LEADER']) {
            await page.selectOption('#position', position);
            const label = `${department}/${position}`;
            const shown = await rows.evaluateAll((trs) =>
              trs.map((tr) => [tr.getAttribute('data-key') ?? '', tr.children[1]?.textContent ?? '']),
            );
            expect(shown.length).toBe(
              Object.keys(data().fields).length + Object.keys(data().operations).length,
            );
            for (const [key = '', symbol = ''] of shown) {
              const expected =
                key in data().fields ? expectedField(key, label) : expectedOperation(key, label);
              expect([label, key, LETTER_OF_SYMBOL[symbol]]).toEqual([label, key, expected]);
            }
            await expect(page.locator('#scope').textContent()).resolves.toContain(
              matrix.rowScope[label] ?? '',
            );
          }
        }
        await page.selectOption('#department', 'POLICE');
        await page.selectOption('#position', '');
        await page.fill('#search', 'person.phone');
        await expect(
          rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key'))),
        ).resolves.toEqual(['Person.phone']);
        await expect(page.locator('#heads th').allTextContents()).resolves.toEqual([
          'field or operation',
          'POLICE W=L',
        ]);
        await expect(page.locator('#rows tr[data-key="Person.phone"]').getAttribute('class')).resolves.toBe(
          'changed',
        );
        await expect(page.locator('#rows tr[data-key="Person.phone"] td.was').count()).resolves.toBe(1);
        await page.fill('#search', '');
        await page.selectOption('#department', '');
        await page.check('#changed-only');
        await expect(
          rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')).sort()),
        ).resolves.toEqual(['Person.occupation', 'Person.phone']);
        await expect(page.locator('#removed').textContent()).resolves.toContain('Person.nickname');
        expect({ outside, problems }).toEqual({ outside: [], problems: [] });
        await context.close();
      }, 120_000);
    },
  );
});

test('the committed snapshot of the last release is one the generator reads', async () => {
  const committed: ReleaseSnapshot = JSON.parse(
    await readFile(path.join(__dirname, '..', '..', 'schema', 'permissions.previous.json'), 'utf8'),
  );
  expect(committed.release).toBeTruthy();
  expect(committed.principals).toEqual(matrix.principals);
  for (const letters of [...Object.values(committed.fields), ...Object.values(committed.operations)])
    expect(letters).toMatch(new RegExp(`^[RM-]{${matrix.principals.length}}$`));
});
