// What a browser meets at /graphql, in a real headless Chromium with no network but loopback: in
// development an explorer that signs in, runs a query and opens a subscription with nothing from
// outside; in production a plain page that names nothing. The Chromium part needs Debian's chromium
// (`apt-get install chromium`; .ci/run installs it) and is skipped, saying so, without it.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { TOTP_PERIOD_SECONDS, totpCode } from '../../src/auth/totp';
import { startTestApi, type TestApi } from '../support/api';
import { TEST_PASSWORD } from '../support/template';

const CHROMIUM = '/usr/bin/chromium';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
/** Anything that names the software behind the endpoint or its version. */
const NAMES = /apollo|graphiql|concord|react|sandbox|node|express|\d+\.\d+\.\d+/i;

let development: TestApi;
let production: TestApi;

beforeAll(async () => {
  [development, production] = await Promise.all([
    startTestApi({ nodeEnv: 'development' }),
    startTestApi({ nodeEnv: 'production', exposeSqlStatementCount: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([development?.close(), production?.close()]);
});

describe('over plain HTTP', () => {
  test('a browser opening /graphql in production gets a plain page that names nothing and loads nothing', async () => {
    const response = await fetch(production.url, { headers: { accept: BROWSER_ACCEPT } });
    const page = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(page).toContain('This is a GraphQL endpoint. Send POST requests with a token.');
    expect(page).not.toMatch(NAMES);
    expect(page).not.toMatch(/<script|<link|<img|<style|src=|href=|url\(/i);
    for (const [, value] of response.headers) expect(value).not.toMatch(/apollo|graphiql/i);
  });

  test('production serves none of the explorer files', async () => {
    const response = await fetch(new URL('/graphql/explorer/graphiql.js', production.url));
    expect(response.status).toBe(404);
  });

  test('a GET that is not a browser page view is still a GraphQL request', async () => {
    const token = await production.login('grid.worker');
    const query = new URL(production.url);
    query.searchParams.set('query', '{ me { username } }');
    const response = await fetch(query, {
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { me: { username: 'grid.worker' } } });
  });

  test('the development explorer is served with a policy that allows only its own address', async () => {
    const response = await fetch(development.url, { headers: { accept: BROWSER_ACCEPT } });
    const page = await response.text();
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(response.status).toBe(200);
    expect(policy).toMatch(/default-src 'none'/);
    expect(policy).toMatch(/script-src 'self'(;|$)/);
    expect(policy).toMatch(/style-src 'self'(;|$)/);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    // No inline script: every script comes from a file the API serves.
    expect(page.match(/<script[^>]*>/g)?.every((tag) => /src="graphql\/explorer\//.test(tag))).toBe(true);
    expect(page).not.toMatch(/https?:\/\//);
    const script = await fetch(new URL('/graphql/explorer/graphiql.js', development.url));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const again = await fetch(new URL('/graphql/explorer/graphiql.js', development.url), {
      headers: { 'if-none-match': script.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
    expect((await fetch(new URL('/graphql/explorer/../../package.json', development.url))).status).toBe(404);
  });
});

/** Waits up to ten seconds for `check` to hold. */
async function eventually(what: string, check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 100) {
    if (waited >= 10_000) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const chromiumInstalled = existsSync(CHROMIUM);
const inChromium = chromiumInstalled ? describe : describe.skip;
const skipped = chromiumInstalled
  ? ''
  : ` (SKIPPED: ${CHROMIUM} is not installed — apt-get install chromium)`;

inChromium(`in headless Chromium${skipped}`, () => {
  let browser: Browser;
  let context: BrowserContext;
  const requested: string[] = [];
  const refused: string[] = [];
  const sockets: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    // No network but loopback: anything else the pages ask for is refused and remembered.
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      requested.push(url);
      if (new URL(url).hostname === '127.0.0.1') {
        await route.continue();
      } else {
        refused.push(url);
        await route.abort();
      }
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  function watch(page: Page): void {
    page.on('websocket', (socket) => sockets.push(socket.url()));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // The plain page has no icon: the browser's guess at /favicon.ico is answered 404.
      if (message.location().url.endsWith('/favicon.ico')) return;
      if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text())) {
        problems.push(`console ${message.type()}: ${message.text()}`);
      }
    });
  }

  test('the development explorer signs in, runs a query and a subscription, all from the API itself', async () => {
    const page = await context.newPage();
    watch(page);
    const frames: string[] = [];
    page.on('websocket', (socket) => {
      socket.on('framesent', ({ payload }) => frames.push(`sent ${String(payload)}`));
      socket.on('framereceived', ({ payload }) => frames.push(`received ${String(payload)}`));
    });
    await page.goto(development.url);
    await page.locator('.graphiql-container').waitFor();

    await page.fill('#username', 'grid.worker');
    await page.fill('#password', TEST_PASSWORD);
    await page.click('#sign-in-button');
    await page.locator('#sign-in-status', { hasText: 'Signed in until' }).waitFor();
    expect(await page.inputValue('#token')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    // A leader signs in with the password, then the authenticator's code (the challenge waits).
    await development.login('police.leader');
    const factor = development.secondFactors.get('police.leader');
    if (!factor) throw new Error('police.leader has no second factor');
    await page.fill('#username', 'police.leader');
    await page.fill('#password', TEST_PASSWORD);
    await page.click('#sign-in-button');
    await page.locator('#sign-in-status', { hasText: 'enter the code' }).waitFor();
    factor.lastStep = Math.max(factor.lastStep + 1, currentStep(development.clock.now));
    await page.fill('#code', totpCode(factor.secret, new Date(factor.lastStep * TOTP_PERIOD_SECONDS * 1000)));
    await page.click('#sign-in-button');
    await page.locator('#sign-in-status', { hasText: 'Signed in until' }).waitFor();
    const leaderToken = await page.inputValue('#token');
    expect((await development.gql('{ me { username } }', {}, leaderToken)).data).toEqual({
      me: { username: 'police.leader' },
    });
    await page.fill('#username', 'grid.worker');
    await page.fill('#password', TEST_PASSWORD);
    await page.click('#sign-in-button');
    await page.locator('#sign-in-status', { hasText: 'Signed in until' }).waitFor();

    // The page's own first query (`me`), run with the ▶ button; its answer read off the result pane.
    await page.click('.graphiql-execute-button');
    const resultPane = `document.querySelector('.result-window .CodeMirror')?.CodeMirror.getValue() ?? ''`;
    // Polled with page.evaluate (run by the browser's debugging protocol), not waitForFunction, whose
    // polling evaluates its predicate inside the page, where the API's CSP (no 'unsafe-eval') refuses it.
    let result = '';
    for (let waited = 0; !result.includes('"username"'); waited += 100) {
      if (waited >= 10_000) throw new Error(`no answer to the first query: ${result}`);
      await page.waitForTimeout(100);
      result = (await page.evaluate(resultPane)) as string;
    }
    const answer = JSON.parse(result) as { data?: unknown };
    expect({ data: answer.data }).toEqual({
      data: {
        me: {
          username: 'grid.worker',
          displayName: expect.any(String),
          departmentCode: 'GRID',
          position: 'WORKER',
        },
      },
    });
    // The schema was read again with the token (introspection needs a signed-in caller).
    await page.click('[aria-label="Show Documentation Explorer"]');
    await page.locator('.graphiql-doc-explorer-root-type', { hasText: 'query' }).first().waitFor();
    const screenshot = path.join(await mkdtemp(path.join(os.tmpdir(), 'concord-explorer-')), 'explorer.png');
    await page.screenshot({ path: screenshot });
    console.log(`explorer screenshot: ${screenshot}`);

    // A subscription from the same editor goes over graphql-ws with the token as the credential.
    await page.evaluate(
      `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('subscription Alerts { alertReceived { acknowledgedAt } }')`,
    );
    // GraphiQL reads the operation off the editor's text after a pause; run it once it has, or it
    // sends the new text under the old operation's name.
    await page.waitForTimeout(1500);
    await page.click('.graphiql-execute-button');
    await eventually('the connection is acknowledged', () =>
      frames.some((frame) => frame.startsWith('received') && frame.includes('"connection_ack"')),
    );
    await eventually('the subscription is sent', () =>
      frames.some((frame) => /^sent .*"subscribe"/.test(frame)),
    );
    expect(frames.filter((frame) => /"type":"(error|complete)"/.test(frame))).toEqual([]);
    expect(frames.find((frame) => frame.includes('connection_init'))).toContain('Bearer ');

    expect(refused).toEqual([]);
    expect(requested.every((url) => url.startsWith(new URL(development.url).origin))).toBe(true);
    expect(sockets.every((url) => url === development.url.replace(/^http/, 'ws'))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  test('the production page shows one sentence, names nothing and loads nothing', async () => {
    const page = await context.newPage();
    watch(page);
    const before = requested.length;
    await page.goto(production.url);
    expect(await page.evaluate('document.body.innerText')).toBe(
      'This is a GraphQL endpoint. Send POST requests with a token.',
    );
    expect(await page.content()).not.toMatch(NAMES);
    expect(await page.evaluate(`performance.getEntriesByType('resource').length`)).toBe(0);
    const loaded = requested.slice(before).filter((url) => !url.endsWith('/favicon.ico'));
    expect(loaded).toEqual([production.url]);
    expect(refused).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});

function currentStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}
