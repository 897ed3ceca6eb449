// Signed checkpoints of the audit chain's head (SPEC §4, "Tamper evidence"): `(chain, last seq, last
// hash, time)` signed with HMAC-SHA256 under a key the database never holds, appended as one JSON line
// to a file outside the database and written to the log. Whoever can rewrite the database — even its
// superuser — cannot rewrite what a checkpoint saw: `audit:verify` names a chain re-hashed after it or
// a tail removed after it. The running API writes one at a fixed interval and on shutdown;
// `npm run audit:checkpoint` writes one on demand.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';

export interface AuditCheckpoint {
  /** The audit chain it belongs to (audit_chain_head.chain_id): one file may outlive a database. */
  chainId: string;
  /** The last entry's sequence number when the checkpoint was taken; "0" for an empty chain. */
  seq: string;
  /** That entry's hash; null for an empty chain. */
  hash: string | null;
  /** When the head was read, ISO 8601. */
  at: string;
  /** `hmac-sha256:` and the base64url HMAC of the fields above (signedText). */
  signature: string;
}

const SIGNATURE_PREFIX = 'hmac-sha256:';
const KEY_FILE = 'audit-checkpoint-key';

const signedText = (checkpoint: Omit<AuditCheckpoint, 'signature'>) =>
  [
    'concord-audit-checkpoint/1',
    checkpoint.chainId,
    checkpoint.seq,
    checkpoint.hash ?? '',
    checkpoint.at,
  ].join('\n');

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();

export function signCheckpoint(key: Buffer, head: Omit<AuditCheckpoint, 'signature'>): AuditCheckpoint {
  return { ...head, signature: `${SIGNATURE_PREFIX}${hmac(key, signedText(head)).toString('base64url')}` };
}

export function checkpointSignatureValid(key: Buffer, checkpoint: AuditCheckpoint): boolean {
  if (typeof checkpoint.signature !== 'string' || !checkpoint.signature.startsWith(SIGNATURE_PREFIX))
    return false;
  const given = Buffer.from(checkpoint.signature.slice(SIGNATURE_PREFIX.length), 'base64url');
  const expected = hmac(key, signedText(checkpoint));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The signing key: AUDIT_CHECKPOINT_KEY, else one generated once into the data directory beside the
 * database's (like `jwt-secret`), never into the database. `create: false` (verification) returns
 * null rather than making a key that signed nothing.
 */
export async function resolveCheckpointKey(
  config: Config,
  options: { create: boolean },
): Promise<Buffer | null> {
  if (config.auditCheckpointKey) return Buffer.from(config.auditCheckpointKey, 'utf8');
  const file = path.join(config.dataDir, KEY_FILE);
  if (existsSync(file)) return Buffer.from((await readFile(file, 'utf8')).trim(), 'utf8');
  if (!options.create) return null;
  const key = randomBytes(32).toString('base64url');
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, key, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    // Another process (the API, a CLI) made it first: use theirs.
    if (error.code !== 'EEXIST') throw error;
  });
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'utf8');
}

export interface ChainHead {
  chainId: string;
  seq: string;
  hash: string | null;
}

/** The head as the chain trigger keeps it: the last committed entry's number and hash. */
export async function readChainHead(dataSource: DataSource): Promise<ChainHead> {
  const [head] = (await dataSource.query(
    `SELECT chain_id::text AS "chainId", seq::text AS seq, hash FROM audit_chain_head`,
  )) as ChainHead[];
  if (!head) throw new Error('audit_chain_head has no row: the audit chain has no head to checkpoint');
  return head;
}

/**
 * Puts a checkpoint in the webhook outbox as an AUDIT_CHECKPOINT event, for the endpoints of AUDITOR
 * service accounts (src/domain/webhooks/worker.ts). The detail is the checkpoint itself — signed chain
 * metadata, no record data — so the auditor's tool checks it with the key, independently of this API.
 * One event per checkpoint: the unique index on its signature makes a second insert a no-op.
 */
export async function publishCheckpoint(dataSource: DataSource, checkpoint: AuditCheckpoint): Promise<void> {
  await dataSource.query(
    `INSERT INTO outbox_events (event_type, record_type, record_id, detail)
     VALUES ('AUDIT_CHECKPOINT', 'AuditCheckpoint', NULL, $1::jsonb)
     ON CONFLICT ((detail->>'signature')) WHERE event_type = 'AUDIT_CHECKPOINT' DO NOTHING`,
    [JSON.stringify(checkpoint)],
  );
}

/** Reads the head, signs it, appends it to `file`, hands it to `log` and to the webhook outbox. */
export async function writeCheckpoint(options: {
  dataSource: DataSource;
  key: Buffer;
  file: string;
  log?: (checkpoint: AuditCheckpoint) => void;
  clock?: () => Date;
}): Promise<AuditCheckpoint> {
  const head = await readChainHead(options.dataSource);
  const checkpoint = signCheckpoint(options.key, {
    ...head,
    at: (options.clock?.() ?? new Date()).toISOString(),
  });
  await mkdir(path.dirname(options.file), { recursive: true });
  // One line, one append (O_APPEND): lines of concurrent writers never interleave.
  await appendFile(options.file, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
  options.log?.(checkpoint);
  await publishCheckpoint(options.dataSource, checkpoint);
  return checkpoint;
}

/** The file's last line is what the latest checkpoint says (or it cannot be read: `malformed`). */
export type LatestCheckpoint = { checkpoint: AuditCheckpoint } | { malformed: string };

/** The last checkpoint in `file`, read from its end (the file grows by a line every interval); null if none. */
export async function readLatestCheckpoint(file: string): Promise<LatestCheckpoint | null> {
  if (!existsSync(file)) return null;
  const handle = await open(file, 'r');
  let text: string;
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    text = buffer.toString('utf8');
  } finally {
    await handle.close();
  }
  const line = text
    .split('\n')
    .filter((each) => each.trim() !== '')
    .pop();
  if (line === undefined) return null;
  try {
    const parsed = JSON.parse(line) as Partial<AuditCheckpoint>;
    if (
      typeof parsed.chainId !== 'string' ||
      typeof parsed.seq !== 'string' ||
      !/^\d+$/.test(parsed.seq) ||
      (parsed.hash !== null && typeof parsed.hash !== 'string') ||
      typeof parsed.at !== 'string' ||
      typeof parsed.signature !== 'string'
    )
      return { malformed: `its last line is not a checkpoint: ${line.slice(0, 200)}` };
    return { checkpoint: parsed as AuditCheckpoint };
  } catch {
    return { malformed: `its last line is not JSON: ${line.slice(0, 200)}` };
  }
}

export interface CheckpointTimer {
  /** Stops the interval and writes the shutdown checkpoint. */
  stop(): Promise<void>;
}

/**
 * Writes a checkpoint every `intervalSeconds` (none when 0) while the API runs, and one more when it
 * stops. A failed write is reported and tried again at the next interval; it never stops the API.
 */
export function startCheckpointTimer(options: {
  dataSource: DataSource;
  key: Buffer;
  file: string;
  intervalSeconds: number;
  log: (checkpoint: AuditCheckpoint) => void;
  onError: (error: unknown) => void;
}): CheckpointTimer {
  let running: Promise<unknown> = Promise.resolve();
  const write = () => {
    running = running.then(() => writeCheckpoint(options)).catch((error: unknown) => options.onError(error));
    return running;
  };
  const timer =
    options.intervalSeconds > 0 ? setInterval(() => void write(), options.intervalSeconds * 1000) : null;
  timer?.unref();
  return {
    stop: async () => {
      if (timer) clearInterval(timer);
      await write();
    },
  };
}
