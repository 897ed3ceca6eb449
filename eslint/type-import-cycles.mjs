// A lint rule for the cycles import-x/no-cycle cannot see: it skips type-only imports, and STYLE 13
// counts them too (a type-only cycle still ties two areas together). This rule reports a type-only
// import declaration whose module leads back to the importing file through any kind of import;
// cycles made of value imports alone are import-x/no-cycle's to report, so nothing is reported twice.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** Relative imports of a module's text, resolved to files; type-only ones included. */
function importsOf(file, text) {
  const found = [];
  for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
    const resolved = resolveRelative(file, fileName);
    if (resolved) found.push(resolved);
  }
  return found;
}

function resolveRelative(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  const stem = base.replace(/\.[cm]?js$/, '');
  for (const candidate of [base, ...EXTENSIONS.map((ext) => stem + ext), path.join(base, 'index.ts')]) {
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

function isFile(candidate) {
  try {
    return fs.statSync(candidate).isFile();
  } catch {
    return false;
  }
}

/** Imports of files on disk, kept while the file is unchanged (editors run the rule for hours). */
const cache = new Map();
function importsOnDisk(file) {
  const modified = fs.statSync(file).mtimeMs;
  const hit = cache.get(file);
  if (hit?.modified === modified) return hit.imports;
  const imports = importsOf(file, fs.readFileSync(file, 'utf8'));
  cache.set(file, { modified, imports });
  return imports;
}

/** A route of files from `start` back to `target`, or undefined. */
function routeBack(start, target) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const next of importsOnDisk(file)) {
      if (next === target) {
        const route = [];
        for (let at = file; at !== undefined; at = previous.get(at)) route.unshift(at);
        return route;
      }
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return undefined;
}

const isTypeOnly = (node) =>
  (node.type === 'ImportDeclaration' ||
    node.type === 'ExportNamedDeclaration' ||
    node.type === 'ExportAllDeclaration') &&
  (node.importKind === 'type' ||
    node.exportKind === 'type' ||
    (node.specifiers?.length > 0 &&
      node.specifiers.every(
        (specifier) => specifier.importKind === 'type' || specifier.exportKind === 'type',
      )));

export const noTypeImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid a type-only import of a module that leads back to the importing file' },
    schema: [],
    messages: { cycle: 'Dependency cycle through a type-only import: {{route}}' },
  },
  create(context) {
    const file = context.physicalFilename;
    if (!path.isAbsolute(file)) return {};
    const check = (node) => {
      if (!node.source || !isTypeOnly(node)) return;
      const imported = resolveRelative(file, node.source.value);
      if (!imported || imported === file) return;
      const route = routeBack(imported, file);
      if (!route) return;
      const shown = [file, ...route, file].map((step) => path.relative(context.cwd, step)).join(' -> ');
      context.report({ node, messageId: 'cycle', data: { route: shown } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

export default { rules: { 'no-type-import-cycle': noTypeImportCycle } };
