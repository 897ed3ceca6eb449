// Change-feed cursors. A position in the feed is a position in the whole city's commit order, so a
// cursor in the clear would tell a reader how many writes happened outside its scope between two
// reads (SPEC §4: no answer may depend on data the caller cannot read). Positions are sealed with
// AES-256-GCM under a key kept in the database (record_change_head.cursor_key, made by migration
// ChangeFeed): every replica reads the same key, and a cursor that was not sealed by this database —
// forged, altered, or from another installation — fails to open and is BAD_USER_INPUT.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { badUserInput } from '../../graphql/errors';

/** Where a reader stands: after commit `seq` entirely, or after one record of it. */
export interface FeedPosition {
  /** The commit's number in commit order (a bigint, as text). */
  seq: string;
  /** The last record of that commit already read; null once the whole commit is read. */
  after: { recordType: string; recordId: string } | null;
}

export const START: FeedPosition = { seq: '0', after: null };

const VERSION = 'f1';
const PLAIN =
  /^f1\|(0|[1-9][0-9]{0,18})(?:\|([A-Za-z]{1,40})\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))?$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const keys = new WeakMap<DataSource, Promise<Buffer>>();

/** The sealing key of `dataSource`'s database, read once per process. */
export function cursorKey(dataSource: DataSource): Promise<Buffer> {
  let key = keys.get(dataSource);
  if (!key) {
    key = dataSource
      .query<{ cursor_key: Buffer }[]>(`SELECT cursor_key FROM record_change_head`)
      .then((rows) => {
        const found = rows[0]?.cursor_key;
        if (!found || found.length !== 32) throw new Error('record_change_head holds no cursor key');
        return found;
      });
    key.catch(() => keys.delete(dataSource));
    keys.set(dataSource, key);
  }
  return key;
}

export function sealPosition(key: Buffer, position: FeedPosition): string {
  const plain = position.after
    ? `${VERSION}|${position.seq}|${position.after.recordType}|${position.after.recordId}`
    : `${VERSION}|${position.seq}`;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** The position a cursor names; BAD_USER_INPUT unless this database sealed it. */
export function openPosition(key: Buffer, cursor: string): FeedPosition {
  const refused = () => badUserInput('The cursor is not one this API issued', 'after');
  if (!/^[A-Za-z0-9_-]{40,200}$/.test(cursor)) throw refused();
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) throw refused();
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    plain = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw refused();
  }
  const match = PLAIN.exec(plain);
  if (!match) throw refused();
  const [, seq, recordType, recordId] = match;
  return {
    seq: seq as string,
    after: recordType && recordId ? { recordType, recordId } : null,
  };
}
