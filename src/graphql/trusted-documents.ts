// Trusted documents (issue 22 item 8): with TRUSTED_DOCUMENTS set, staff accounts run only the operations
// of a manifest a front-end build produced, so a security reviewer reads exactly what each front-end
// asks. The manifest is what GraphQL Code Generator's client preset writes with `persistedDocuments:
// true` (`persisted-documents.json`: `{ "sha256:<hex>": "<document>" }`). A client names a document by
// `documentId` (GraphQL over HTTP, persisted documents) or Apollo's
// `extensions.persistedQuery.sha256Hash` (the hex, with or without the `sha256:` prefix). Service
// accounts (API keys) may still send documents of their own, within their request budget.
import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import type { Identity } from '../auth/identity';
import { ErrorCode } from './errors';

/** What a transport received, before the document is known. */
export interface IncomingOperation {
  query?: unknown;
  documentId?: unknown;
  extensions?: unknown;
}

/** The document id a request names, or undefined when it sends its own text. */
export function documentIdOf(request: IncomingOperation): string | undefined {
  if (typeof request.documentId === 'string') return request.documentId;
  const extensions = request.extensions;
  if (typeof extensions !== 'object' || extensions === null || !('persistedQuery' in extensions))
    return undefined;
  const persisted = extensions.persistedQuery;
  if (typeof persisted !== 'object' || persisted === null || !('sha256Hash' in persisted)) return undefined;
  return typeof persisted.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
}

export const PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND';

export class TrustedDocuments {
  private constructor(private readonly documents: ReadonlyMap<string, string>) {}

  /** Reads and checks the manifest at `file`; throws at start-up when it is not one. */
  static load(file: string): TrustedDocuments {
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`TRUSTED_DOCUMENTS: ${file} is not a readable JSON file (${String(error)})`);
    }
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
      throw new Error(`TRUSTED_DOCUMENTS: ${file} is not an object of document ids to documents`);
    }
    const documents = new Map<string, string>();
    for (const [id, document] of Object.entries(manifest)) {
      if (typeof document !== 'string')
        throw new Error(`TRUSTED_DOCUMENTS: the entry ${id} is not a document`);
      documents.set(id, document);
    }
    return new TrustedDocuments(documents);
  }

  get size(): number {
    return this.documents.size;
  }

  /** The document of `id`: the manifest's key itself, or a bare sha256 hex of a `sha256:` key. */
  documentOf(id: string): string | undefined {
    return this.documents.get(id) ?? this.documents.get(`sha256:${id}`);
  }

  /**
   * The query text to run for `request` from `identity`, or the error to answer instead. A named
   * document runs as the manifest has it, whatever text came beside the id; a text without an id runs
   * only for a service account.
   */
  resolve(request: IncomingOperation, identity: Identity | null): string | GraphQLError {
    const id = documentIdOf(request);
    if (id !== undefined) {
      const document = this.documentOf(id);
      if (document !== undefined) return document;
      return new GraphQLError('No trusted document has this id: the front-end and the server disagree', {
        extensions: { code: PERSISTED_QUERY_NOT_FOUND },
      });
    }
    if (identity?.kind === 'SERVICE' && typeof request.query === 'string') return request.query;
    return new GraphQLError(
      'This server runs only trusted documents for staff accounts: send the documentId of an operation in the front-end’s manifest',
      { extensions: { code: ErrorCode.FORBIDDEN } },
    );
  }
}
