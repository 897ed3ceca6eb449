// Sign-in throttling (issue 18 item 4): concurrent guesses are judged one after another, an address
// that keeps guessing waits longer and longer, and none of it keeps the account's owner out.
// Each loopback address (127.0.0.2, 127.0.0.3 …) is a different source: the server takes the client
// address from the socket, and on Linux a client may connect from any address of 127.0.0.0/8.
import { request } from 'node:http';
import {
  decide,
  DEFAULT_THROTTLE_POLICY,
  LoginThrottle,
  sourceOfAddress,
  type ThrottleState,
} from '../../src/auth/login-throttle';
import { startTestApi, type TestApi } from '../support/api';
import { TEST_PASSWORD } from '../support/template';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

interface Answer {
  token: string | null;
  code: string | null;
  message: string | null;
}

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { token userErrors { code message } } }`;

/** Signs in over HTTP from `source`, a loopback address. */
function signIn(source: string, username: string, password: string): Promise<Answer> {
  const url = new URL(api.url);
  const body = JSON.stringify({ query: LOGIN, variables: { input: { username, password } } });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: source,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          try {
            const login = JSON.parse(text).data.login as {
              token: string | null;
              userErrors: { code: string; message: string }[];
            };
            const problem = login.userErrors[0];
            resolve({ token: login.token, code: problem?.code ?? null, message: problem?.message ?? null });
          } catch {
            reject(new Error(`not a login answer: ${text}`));
          }
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const WRONG = 'UNAUTHENTICATED';
const THROTTLED = 'FORBIDDEN';

/** The seconds a throttled answer asks to wait. */
function retryAfter(answer: Answer): number {
  expect(answer.code).toBe(THROTTLED);
  const seconds = /try again in (\d+) seconds?$/.exec(answer.message ?? '')?.[1];
  expect(seconds).toBeDefined();
  return Number(seconds);
}

function advanceSeconds(seconds: number): void {
  api.clock.now = new Date(api.clock.now.getTime() + seconds * 1000);
}

async function failedSignInsAudited(username: string): Promise<number> {
  const rows: { n: number }[] = await api.dataSource.query(
    `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'LOGIN_FAILED' AND detail->>'username' = $1`,
    [username],
  );
  return rows[0]?.n ?? 0;
}

test('50 concurrent wrong passwords from one address: 5 are checked, the owner elsewhere signs in at once', async () => {
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, i) => signIn('127.0.0.2', 'police.leader', `guess-${i}`)),
  );
  expect(answers.filter((answer) => answer.code === WRONG)).toHaveLength(5);
  expect(answers.filter((answer) => answer.code === THROTTLED)).toHaveLength(45);
  expect(answers.every((answer) => answer.token === null)).toBe(true);
  // Only the checked attempts reached the password check (each checked attempt is audited).
  expect(await failedSignInsAudited('police.leader')).toBe(5);

  // The owner, from another address, is not kept out — not even for a second.
  const owner = await signIn('127.0.0.3', 'police.leader', TEST_PASSWORD);
  expect(owner.code).toBeNull();
  expect(owner.token).toEqual(expect.any(String));

  // The guessing address is refused even with the right password, and waits longer after each guess.
  const waits: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    const wait = retryAfter(await signIn('127.0.0.2', 'police.leader', TEST_PASSWORD));
    waits.push(wait);
    advanceSeconds(wait - 1);
    expect((await signIn('127.0.0.2', 'police.leader', 'still-guessing')).code).toBe(THROTTLED);
    advanceSeconds(1);
    expect((await signIn('127.0.0.2', 'police.leader', 'still-guessing')).code).toBe(WRONG);
  }
  expect(waits).toEqual([1, 2, 4, 8, 16]);
  expect(retryAfter(await signIn('127.0.0.2', 'police.leader', 'still-guessing'))).toBe(32);
});

test('the wait is capped at 15 minutes, and the counts live in PostgreSQL for every replica', async () => {
  for (let i = 0; i < 5; i += 1) await signIn('127.0.0.4', 'grid.leader', 'wrong');
  let wait = retryAfter(await signIn('127.0.0.4', 'grid.leader', 'wrong'));
  for (let round = 0; round < 12; round += 1) {
    advanceSeconds(wait);
    expect((await signIn('127.0.0.4', 'grid.leader', 'wrong')).code).toBe(WRONG);
    wait = retryAfter(await signIn('127.0.0.4', 'grid.leader', 'wrong'));
  }
  expect(wait).toBe(15 * 60);
  const rows: { failures: number }[] = await api.dataSource.query(
    `SELECT failures FROM login_failures WHERE key = 'source:127.0.0.4 account:grid.leader'`,
  );
  expect(rows).toEqual([{ failures: 17 }]);
  // Another replica — its own throttle, the same database — refuses the address just the same.
  const replica = new LoginThrottle();
  const reservation = await replica.reserve(api.dataSource, 'grid.leader', '127.0.0.4', api.clock.now);
  expect(reservation).toEqual({ admitted: false, retryAfterSeconds: 15 * 60 });
});

test('an unknown username gets exactly the answers a real one gets', async () => {
  const sequence = async (source: string, username: string) => {
    const answers: (string | null)[] = [];
    for (let i = 0; i < 7; i += 1) {
      const answer = await signIn(source, username, 'wrong');
      answers.push(`${answer.code}: ${answer.message}`);
    }
    return answers;
  };
  const real = await sequence('127.0.0.5', 'city_center.worker');
  const unknown = await sequence('127.0.0.5', 'nobody.at.all');
  expect(unknown).toEqual(real);
  expect(real.filter((answer) => answer?.startsWith(WRONG))).toHaveLength(5);
});

test('a successful sign-in clears the failures of its address', async () => {
  for (let i = 0; i < 4; i += 1) {
    expect((await signIn('127.0.0.6', 'gridb.worker', 'wrong')).code).toBe(WRONG);
  }
  expect((await signIn('127.0.0.6', 'gridb.worker', TEST_PASSWORD)).token).toEqual(expect.any(String));
  for (let i = 0; i < 5; i += 1) {
    expect((await signIn('127.0.0.6', 'gridb.worker', 'wrong')).code).toBe(WRONG);
  }
  expect((await signIn('127.0.0.6', 'gridb.worker', 'wrong')).code).toBe(THROTTLED);
});

test('a guess spread over many addresses is slowed for the account, but not for a clean address', async () => {
  const account = 'gridb.leader';
  // 4 addresses × 5 guesses reach the account's ceiling of 20.
  for (let host = 10; host < 14; host += 1) {
    for (let i = 0; i < 5; i += 1) {
      expect((await signIn(`127.0.0.${host}`, account, 'wrong')).code).toBe(WRONG);
    }
  }
  // A fifth address gets its first guess (it is clean), then waits on the account's ceiling.
  expect((await signIn('127.0.0.14', account, 'wrong')).code).toBe(WRONG);
  expect(retryAfter(await signIn('127.0.0.14', account, 'wrong'))).toBeGreaterThan(0);
  // The owner from an address with no failures signs in at once.
  const owner = await signIn('127.0.0.15', account, TEST_PASSWORD);
  expect(owner.token).toEqual(expect.any(String));
  // From there, a typo or two on a known address is not held to the ceiling either.
  expect((await signIn('127.0.0.15', account, 'typo')).code).toBe(WRONG);
  expect((await signIn('127.0.0.15', account, TEST_PASSWORD)).token).toEqual(expect.any(String));
});

describe('the rule', () => {
  const now = new Date('2026-11-01T08:00:00Z');
  const fresh: ThrottleState = { failures: 0, nextAttemptAt: null, lastFailureAt: null, lastSuccessAt: null };
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

  test('failures a day old whose wait has passed are forgotten', () => {
    const old: ThrottleState = {
      failures: 9,
      nextAttemptAt: at(-86000),
      lastFailureAt: at(-86400),
      lastSuccessAt: null,
    };
    const decision = decide(old, fresh, now);
    expect(decision.admitted && decision.pair.failures).toBe(1);
  });

  test('an account over its ceiling refuses an address with failures, not a clean one', () => {
    const busy: ThrottleState = {
      failures: 30,
      nextAttemptAt: at(600),
      lastFailureAt: now,
      lastSuccessAt: null,
    };
    const tried: ThrottleState = { ...fresh, failures: 1, nextAttemptAt: now, lastFailureAt: now };
    expect(decide(tried, busy, now)).toEqual({ admitted: false, retryAfterMs: 600_000 });
    expect(decide(fresh, busy, now).admitted).toBe(true);
    expect(DEFAULT_THROTTLE_POLICY.accountFreeFailures).toBeGreaterThan(
      DEFAULT_THROTTLE_POLICY.pairFreeFailures,
    );
  });

  test('an address is an IPv4 address or an IPv6 /64', () => {
    expect(sourceOfAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(sourceOfAddress('2001:db8:0:12::1')).toBe('2001:db8:0:12::/64');
    expect(sourceOfAddress('2001:db8:0:12:ffff:1:2:3')).toBe('2001:db8:0:12::/64');
    expect(sourceOfAddress('::1')).toBe('0:0:0:0::/64');
    expect(sourceOfAddress('unknown')).toBe('unknown');
  });
});
