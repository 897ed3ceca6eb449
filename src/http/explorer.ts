// What a browser gets at GET /graphql: in development an explorer (GraphiQL with graphql-ws
// subscriptions and a sign-in bar), every file of it served here from node_modules so that it works
// with no network and sends nothing out; anywhere else a plain page that names nothing.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Config } from '../config';
import { sendJson } from './respond';

/** Where the explorer's scripts and stylesheets are served, in development only. */
export const EXPLORER_ASSETS_PATH = '/graphql/explorer/';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const PLAIN_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>GraphQL endpoint</title></head>
<body><p>This is a GraphQL endpoint. Send POST requests with a token.</p></body>
</html>
`;

const PLAIN_PAGE_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// Relative addresses: the page lives at …/graphql, so they hold behind a proxy that adds a prefix.
const EXPLORER_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Concord API explorer (development)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="graphql/explorer/graphiql.css">
<link rel="stylesheet" href="graphql/explorer/explorer.css">
<script src="graphql/explorer/react.js" defer></script>
<script src="graphql/explorer/react-dom.js" defer></script>
<script src="graphql/explorer/graphiql.js" defer></script>
<script src="graphql/explorer/explorer.js" defer></script>
</head>
<body>
<form id="sign-in" autocomplete="off">
  <strong>Concord API explorer</strong>
  <label>User <input id="username" name="username" placeholder="grid.worker" autocomplete="username"></label>
  <label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
  <label>Code <input id="code" name="code" inputmode="numeric" size="6" placeholder="leaders" autocomplete="one-time-code"></label>
  <button id="sign-in-button" type="submit">Sign in</button>
  <label>Token <input id="token" name="token" placeholder="paste a token, or sign in"></label>
  <span id="sign-in-status" role="status">Not signed in.</span>
  <small>Signing in runs the <code>login</code> mutation (and, for accounts with a second factor, <code>verifySecondFactor</code>
  with the code of your authenticator app); the token is sent as
  <code>Authorization: Bearer &lt;token&gt;</code> with every request and subscription.</small>
</form>
<div id="graphiql">Loading the explorer…</div>
</body>
</html>
`;

const EXPLORER_SCRIPT = `'use strict';
(function () {
  var endpoint = new URL(location.pathname, location.href).href;
  var subscriptionUrl = endpoint.replace(/^http/, 'ws');
  var tokenInput = document.getElementById('token');
  var status = document.getElementById('sign-in-status');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var defaultQuery = [
    '# Sign in above or paste a token, then run this (▶ or Ctrl-Enter).',
    '# Subscriptions (alertReceived) run over graphql-ws.',
    'query Me {',
    '  me {',
    '    username',
    '    displayName',
    '    departmentCode',
    '    position',
    '  }',
    '}',
    '',
  ].join('\\n');

  function render() {
    var token = tokenInput.value.trim();
    var credential = token ? { authorization: 'Bearer ' + token } : {};
    sessionStorage.setItem('concord:token', token);
    // A new fetcher per token: GraphiQL then reloads the schema, which needs a signed-in caller.
    var fetcher = GraphiQL.createFetcher({
      url: endpoint,
      subscriptionUrl: subscriptionUrl,
      headers: credential,
      wsConnectionParams: credential,
    });
    root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery }));
  }

  /** The challenge of a right password, waiting for the authenticator's code. */
  var pendingChallenge = null;

  function post(query, variables) {
    return fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: query, variables: variables }),
    }).then(function (response) { return response.json(); });
  }

  function verify(challenge, code) {
    return post(
      'mutation Verify($input: VerifySecondFactorInput!) { verifySecondFactor(input: $input) { token expiresAt userErrors { message } } }',
      { input: { challenge: challenge, code: code } },
    ).then(function (result) { return { result: result, payload: result.data && result.data.verifySecondFactor }; });
  }

  function signIn(event) {
    event.preventDefault();
    status.textContent = 'Signing in…';
    var code = document.getElementById('code').value.trim();
    var answered = pendingChallenge && code
      ? verify(pendingChallenge, code)
      : post(
          'mutation Login($input: LoginInput!) { login(input: $input) { token expiresAt secondFactorRequired secondFactorChallenge userErrors { message } } }',
          {
            input: {
              username: document.getElementById('username').value.trim(),
              password: document.getElementById('password').value,
            },
          },
        ).then(function (result) {
          var payload = result.data && result.data.login;
          if (!payload || !payload.secondFactorRequired) return { result: result, payload: payload };
          pendingChallenge = payload.secondFactorChallenge;
          return code ? verify(pendingChallenge, code) : { waiting: true };
        });
    answered
      .then(function (answer) {
        if (answer.waiting) {
          status.textContent = 'Password accepted: enter the code your authenticator app shows and sign in again.';
          document.getElementById('code').focus();
          return;
        }
        var payload = answer.payload;
        document.getElementById('code').value = '';
        if (payload && payload.token) {
          pendingChallenge = null;
          tokenInput.value = payload.token;
          status.textContent = 'Signed in until ' + new Date(payload.expiresAt).toLocaleString() + '.';
          render();
        } else {
          var result = answer.result;
          var problem = (payload && payload.userErrors[0]) || (result.errors && result.errors[0]);
          status.textContent = 'Not signed in: ' + (problem ? problem.message : 'no token came back') + '.';
        }
      })
      .catch(function (error) { status.textContent = 'Not signed in: ' + error.message + '.'; });
  }

  tokenInput.value = sessionStorage.getItem('concord:token') || '';
  if (tokenInput.value) status.textContent = 'Using the token of this tab.';
  tokenInput.addEventListener('change', render);
  // Another account or password: the waiting challenge is not theirs.
  ['username', 'password'].forEach(function (id) {
    document.getElementById(id).addEventListener('input', function () { pendingChallenge = null; });
  });
  document.getElementById('sign-in').addEventListener('submit', signIn);
  render();
})();
`;

const EXPLORER_STYLE = `html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
#sign-in { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; align-items: center; padding: 0.5rem 1rem;
  border-bottom: 1px solid #ccc; background: #f6f7f9; font-size: 0.9rem; }
#sign-in input { font: inherit; padding: 0.15rem 0.3rem; }
#token { width: 22rem; }
#code { width: 5rem; }
#sign-in small { flex-basis: 100%; color: #555; }
#graphiql { flex: 1; min-height: 0; }
`;

interface Asset {
  contentType: string;
  /** A file of an npm package, read on first use… */
  packageFile?: [packageName: string, file: string];
  /** …or text of our own. */
  text?: string;
}

const JAVASCRIPT = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

const ASSETS: Record<string, Asset> = {
  'react.js': { contentType: JAVASCRIPT, packageFile: ['react', 'umd/react.production.min.js'] },
  'react-dom.js': { contentType: JAVASCRIPT, packageFile: ['react-dom', 'umd/react-dom.production.min.js'] },
  // GraphiQL's browser build carries graphql-ws, used for subscriptions.
  'graphiql.js': { contentType: JAVASCRIPT, packageFile: ['graphiql', 'graphiql.min.js'] },
  'graphiql.css': { contentType: CSS, packageFile: ['graphiql', 'graphiql.min.css'] },
  'explorer.js': { contentType: JAVASCRIPT, text: EXPLORER_SCRIPT },
  'explorer.css': { contentType: CSS, text: EXPLORER_STYLE },
};

const loaded = new Map<string, Promise<{ body: Buffer; etag: string }>>();

async function load(asset: Asset): Promise<{ body: Buffer; etag: string }> {
  let body: Buffer;
  if (asset.packageFile) {
    const [packageName, file] = asset.packageFile;
    const directory = path.dirname(require.resolve(`${packageName}/package.json`));
    body = await readFile(path.join(directory, file));
  } else {
    body = Buffer.from(asset.text ?? '', 'utf8');
  }
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** The q-value the Accept header gives the best of `types` (0 when it names none of them). */
function quality(accept: string, types: string[]): number {
  let best = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!types.includes(type)) continue;
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    if (Number.isFinite(value)) best = Math.max(best, value);
  }
  return best;
}

/**
 * A browser opening /graphql: a GET without a query that prefers HTML to JSON. Any other GET
 * (a client's, or one that carries a query) stays a GraphQL request.
 */
export function wantsPage(request: IncomingMessage, url: URL): boolean {
  if (request.method !== 'GET' || url.searchParams.has('query')) return false;
  const accept = request.headers.accept ?? '';
  const json = quality(accept, ['application/json', 'application/graphql-response+json', 'multipart/mixed']);
  return quality(accept, ['text/html']) > json;
}

/** Our own scripts and styles, the socket of the page's own address and nothing else. */
function explorerPolicy(request: IncomingMessage): string {
  const host = request.headers.host ?? '';
  // 'self' covers ws: to the same host in CSP 3; the explicit sources are for browsers before it.
  const sockets = /^[A-Za-z0-9.:[\]-]{1,300}$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    // GraphiQL's dialogs add a <style> that locks the page's scrolling: refused, they work without it.
    "style-src 'self'",
    // GraphiQL's stylesheet embeds its fonts and icons as data: URLs.
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The page for a browser at /graphql: the explorer in development, the plain page elsewhere. */
export function sendGraphQLPage(config: Config, request: IncomingMessage, response: ServerResponse): void {
  const explorer = config.nodeEnv === 'development';
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': explorer ? explorerPolicy(request) : PLAIN_PAGE_POLICY,
    ...SECURITY_HEADERS,
  });
  response.end(explorer ? EXPLORER_PAGE : PLAIN_PAGE);
}

/** One of the explorer's files, `name` being what follows EXPLORER_ASSETS_PATH (development only). */
export async function sendExplorerAsset(
  request: IncomingMessage,
  response: ServerResponse,
  name: string,
): Promise<void> {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset || (request.method !== 'GET' && request.method !== 'HEAD')) {
    sendJson(response, 404, { error: 'Not found: the API is at /graphql' });
    return;
  }
  let pending = loaded.get(name);
  if (!pending) {
    pending = load(asset);
    loaded.set(name, pending);
    // A failed read (a package removed since) is tried again next time.
    void pending.catch(() => loaded.delete(name));
  }
  const { body, etag } = await pending;
  const headers = { etag, 'cache-control': 'no-cache', ...SECURITY_HEADERS };
  if (request.headers['if-none-match'] === etag) {
    response.writeHead(304, headers).end();
    return;
  }
  response.writeHead(200, { ...headers, 'content-type': asset.contentType, 'content-length': body.length });
  response.end(request.method === 'HEAD' ? undefined : body);
}
