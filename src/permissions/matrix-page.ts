// Writes schema/permissions.html: the permission matrix as one self-contained page for reviewers — a
// department/position picker, a field search, and every decision that changed since the last release
// marked. No external asset: the styles, the script and the data are inline, and the page's own
// Content-Security-Policy allows exactly those (by hash) and nothing else, so it opens from a file,
// an artefact store or a mail attachment alike and can fetch nothing.
import { createHash } from 'node:crypto';
import {
  changesSince,
  snapshotOf,
  type DepartmentName,
  type PermissionMatrix,
  type ReleaseSnapshot,
} from './matrix';
import { DEPARTMENTS } from './policy';

/** What the page's script reads: the decisions as letters, one per principal, as in the release snapshot. */
export interface PageData {
  release: string;
  principals: string[];
  departments: { code: string; name: string }[];
  fields: Record<string, string>;
  operations: Record<string, string>;
  rowScope: Record<string, string>;
  /** Key → its letters at the last release, or null for a key added since. */
  previous: Record<string, string | null>;
  removed: string[];
}

export function pageData(
  matrix: PermissionMatrix,
  previous: ReleaseSnapshot,
  departmentNames: readonly DepartmentName[],
): PageData {
  const current = snapshotOf(matrix, 'current');
  const changes = changesSince(previous, current);
  const before: Record<string, string | null> = {};
  for (const change of changes) {
    if (change.kind === 'removed') continue;
    const old = previous.fields[change.key] ?? previous.operations[change.key];
    // Re-ordered to the current principals, so the page compares letter by letter.
    before[change.key] =
      old === undefined
        ? null
        : current.principals.map((p) => old[previous.principals.indexOf(p)] ?? '-').join('');
  }
  return {
    release: previous.release,
    principals: current.principals,
    departments: DEPARTMENTS.map((code) => {
      const name = departmentNames.find((d) => d.code === code);
      return { code, name: name ? `${name.nameZh} / ${name.nameEn}` : code };
    }),
    fields: current.fields,
    operations: current.operations,
    rowScope: matrix.rowScope,
    previous: before,
    removed: changes.filter((change) => change.kind === 'removed').map((change) => change.key),
  };
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1b1b1b; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
.controls { display: flex; flex-wrap: wrap; gap: .8em; align-items: center; margin: .8em 0; }
.controls label { display: flex; gap: .3em; align-items: center; }
#scope { background: #f4f6f8; padding: .5em .8em; border-left: 3px solid #4a6fa5; }
table { border-collapse: collapse; margin-top: .8em; }
th, td { border: 1px solid #d0d4d9; padding: 2px 6px; text-align: center; }
td.key { text-align: left; font-family: ui-monospace, monospace; }
thead th { position: sticky; top: 0; background: #fff; font-size: 12px; max-width: 14em; }
tr.type-head th { text-align: left; background: #eef1f4; }
td.R { background: #e3f4e1; }
td.M { background: #fff4d6; }
td.D { color: #999; }
tr.changed td.key::after { content: " changed"; color: #b3261e; font: 11px system-ui; }
tr.added td.key::after { content: " new"; color: #b3261e; font: 11px system-ui; }
td.was { outline: 2px solid #b3261e; outline-offset: -2px; }
.legend span { margin-right: 1em; }
`;

/** The page's script: builds the table from the data block for the chosen accounts and search. */
const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('matrix-data').textContent);
  var SYMBOL = { R: 'R', M: 'M', '-': '\\u00b7' };
  var CLASS = { R: 'R', M: 'M', '-': 'D' };
  var department = document.getElementById('department');
  var position = document.getElementById('position');
  var search = document.getElementById('search');
  var changedOnly = document.getElementById('changed-only');
  var body = document.getElementById('rows');
  var head = document.getElementById('heads');
  var scope = document.getElementById('scope');
  function option(select, value, text) {
    var element = document.createElement('option');
    element.value = value;
    element.textContent = text;
    select.appendChild(element);
  }
  option(department, '', 'every department');
  data.departments.forEach(function (d) { option(department, d.code, d.code + ' ' + d.name); });
  option(department, 'ADMIN', 'ADMIN');
  option(department, 'AUDITOR', 'AUDITOR');
  function chosen() {
    return data.principals.filter(function (label) {
      var parts = label.split('/');
      if (department.value && parts[0] !== department.value) return false;
      return !position.value || parts.length === 1 || parts[1] === position.value;
    });
  }
  function label(group) {
    if (group.length === 2 && group[0].split('/')[0] === group[1].split('/')[0])
      return group[0].split('/')[0] + ' W=L';
    return group.join(', ');
  }
  function cell(row, text, className) {
    var element = document.createElement(row ? 'td' : 'th');
    element.textContent = text;
    if (className) element.className = className;
    return element;
  }
  function render() {
    var principals = chosen();
    var indexes = principals.map(function (p) { return data.principals.indexOf(p); });
    var query = search.value.trim().toLowerCase();
    var keys = Object.keys(data.fields).concat(Object.keys(data.operations)).filter(function (key) {
      if (query && key.toLowerCase().indexOf(query) < 0) return false;
      return !changedOnly.checked || Object.prototype.hasOwnProperty.call(data.previous, key);
    });
    function letters(key) { return data.fields[key] || data.operations[key]; }
    // Accounts whose column is the same over the rows shown share one column (W=L).
    var groups = [];
    var bySignature = {};
    principals.forEach(function (p, i) {
      var signature = keys.map(function (key) { return letters(key)[indexes[i]]; }).join('');
      if (!bySignature[signature]) { bySignature[signature] = { members: [], index: indexes[i] }; groups.push(bySignature[signature]); }
      bySignature[signature].members.push(p);
    });
    head.textContent = '';
    head.appendChild(cell(false, 'field or operation'));
    groups.forEach(function (g) { head.appendChild(cell(false, label(g.members))); });
    body.textContent = '';
    var lastType = '';
    keys.forEach(function (key) {
      var type = key.split('.')[0];
      if (type !== lastType) {
        var typeRow = document.createElement('tr');
        typeRow.className = 'type-head';
        var th = cell(false, type);
        th.colSpan = groups.length + 1;
        typeRow.appendChild(th);
        body.appendChild(typeRow);
        lastType = type;
      }
      var row = document.createElement('tr');
      var before = data.previous[key];
      if (before !== undefined) row.className = before === null ? 'added' : 'changed';
      row.dataset.key = key;
      row.appendChild(cell(true, key, 'key'));
      groups.forEach(function (g) {
        var letter = letters(key)[g.index];
        var td = cell(true, SYMBOL[letter], CLASS[letter]);
        if (before && before[g.index] !== letter) {
          td.className += ' was';
          td.title = 'at ' + data.release + ': ' + SYMBOL[before[g.index]];
        }
        row.appendChild(td);
      });
      body.appendChild(row);
    });
    var scopes = {};
    principals.forEach(function (p) { (scopes[data.rowScope[p]] = scopes[data.rowScope[p]] || []).push(p); });
    scope.textContent = '';
    Object.keys(scopes).forEach(function (text) {
      var line = document.createElement('div');
      line.textContent = 'Row scope of ' + label(scopes[text]) + ': ' + text;
      scope.appendChild(line);
    });
    document.getElementById('count').textContent = keys.length + ' rows';
  }
  [department, position, changedOnly].forEach(function (e) { e.addEventListener('change', render); });
  search.addEventListener('input', render);
  var removed = document.getElementById('removed');
  removed.textContent = data.removed.length ? 'Removed since ' + data.release + ': ' + data.removed.join(', ') : '';
  render();
})();
`;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

export function renderHtml(
  matrix: PermissionMatrix,
  previous: ReleaseSnapshot,
  departmentNames: readonly DepartmentName[],
): string {
  const data = pageData(matrix, previous, departmentNames);
  // Inside a <script> element only `</script` and `<!--` could end or disturb it: escape every `<`.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const policy = [
    "default-src 'none'",
    `style-src 'sha256-${sha256(STYLE)}'`,
    `script-src 'sha256-${sha256(SCRIPT)}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Concord permission matrix</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Concord permission matrix / 权限矩阵</h1>
<p>Generated by <code>npm run policy:matrix</code> from <code>src/permissions/policy.ts</code>, with <code>schema/permissions.md</code>. Changes are marked against the last release: <strong>${escapeHtml(data.release)}</strong>.</p>
<p class="legend"><span><strong>R</strong> reads the value</span><span><strong>M</strong> reads a masked value</span><span><strong>·</strong> null and FORBIDDEN (operations: may not run)</span><span>a red outline: the decision changed since the last release (hover for the old one)</span></p>
<div class="controls">
<label>Department <select id="department"></select></label>
<label>Position <select id="position"><option value="">worker and leader</option><option value="WORKER">worker</option><option value="LEADER">leader</option></select></label>
<label>Field <input id="search" type="search" placeholder="e.g. Person.phone"></label>
<label><input id="changed-only" type="checkbox"> only what changed since ${escapeHtml(data.release)}</label>
<span id="count"></span>
</div>
<div id="scope"></div>
<p id="removed"></p>
<table>
<thead><tr id="heads"></tr></thead>
<tbody id="rows"></tbody>
</table>
<script type="application/json" id="matrix-data">${json}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
