// Entry point: read the configuration, open the database (embedded unless DATABASE_URL is set), load
// the demo city into an empty database when asked, start the server and the audit checkpoints;
// Ctrl-C writes a last checkpoint and stops both cleanly.
import 'reflect-metadata';
import { resolveCheckpointKey, startCheckpointTimer } from './audit/checkpoint';
import { AUDIT_MONTHS_INTERVAL_SECONDS, startAuditMonths } from './audit/partitions';
import { createTokenService } from './auth/tokens';
import { resolveTokenSecret } from './auth/secret';
import { loadConfig } from './config';
import { openDatabase } from './database/database';
import { AlertFeed } from './domain/alerts/alert-feed';
import { OVERRIDE_LAPSE_INTERVAL_SECONDS, startOverrideLapses } from './domain/risk/review-by.service';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, loadDemoData } from './database/demo-data';
import { createLogger } from './logger';
import { createServer } from './server';
import { runCli } from './cli/run-cli';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(
    config,
    (message) => logger.info(message),
    (message) => logger.warn(message),
  );
  const clock = () => new Date();
  if (config.loadDemoData) {
    const logins = await database.asOwner((owner) => loadDemoData(owner, clock(), config));
    if (logins) logger.info({ users: logins.length }, 'loaded the demo city into the empty database');
  }
  const secret = await resolveTokenSecret(config, (message) => logger.warn(message));
  const tokens = createTokenService(secret, config.tokenLifetimeSeconds, clock);
  const alertFeed = new AlertFeed(config.databaseListenUrl ?? database.runtimeUrl, (message, error) =>
    logger.warn({ err: error }, message),
  );
  await alertFeed.start();
  const server = await createServer({
    config,
    dataSource: database.dataSource,
    readDataSource: database.readDataSource ?? undefined,
    tokens,
    clock,
    logger,
    alertFeed,
  });
  const url = await server.listen(config.port, config.host);
  logger.info({ url }, 'Concord is listening');
  const checkpointKey = await resolveCheckpointKey(config, { create: true });
  if (!checkpointKey) throw new Error('no audit checkpoint key');
  const checkpoints = startCheckpointTimer({
    dataSource: database.dataSource,
    key: checkpointKey,
    file: config.auditCheckpointFile,
    intervalSeconds: config.auditCheckpointIntervalSeconds,
    log: (checkpoint) => logger.info({ auditCheckpoint: checkpoint }, 'audit checkpoint'),
    onError: (error) => logger.error({ err: error }, 'audit checkpoint failed'),
  });
  const overrideLapses = startOverrideLapses({
    dataSource: database.dataSource,
    clock,
    intervalSeconds: OVERRIDE_LAPSE_INTERVAL_SECONDS,
    onLapsed: (requestIds) => logger.info({ requestIds }, 'tier overrides ended at their review-by date'),
    onError: (error) => logger.error({ err: error }, 'ending lapsed tier overrides failed'),
  });
  const auditMonths = startAuditMonths({
    dataSource: database.dataSource,
    intervalSeconds: AUDIT_MONTHS_INTERVAL_SECONDS,
    onCreated: (count) => logger.info({ count }, 'created monthly partitions of the audit log'),
    onError: (error) => logger.error({ err: error }, 'preparing the audit log’s months failed'),
  });
  process.stdout.write(
    `\nConcord API: ${url}\n` +
      (config.loadDemoData
        ? `Sign in: mutation { login(input: { username: "grid.worker", password: "${DEMO_PASSWORD}" }) { token } }\n` +
          `Demo users: <department>.worker and <department>.leader (e.g. police.leader), admin, auditor — all with that password.\n` +
          `Then send the token as "Authorization: Bearer <token>".\n` +
          `LEADERs, admin and auditor also need a code: login answers secondFactorChallenge; send it with\n` +
          `the code of authenticator secret ${DEMO_TOTP_SECRET} (\`node dist/src/cli/totp-code.js\` prints it) to\n` +
          `mutation { verifySecondFactor(input: { challenge: "…", code: "123456" }) { token } }\n`
        : '') +
      `Press Ctrl-C to stop.\n\n`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // The last checkpoint comes after the last request; an embedded PostgreSQL hears Ctrl-C too and
    // stops at once, so there it comes first, while the database still answers.
    await overrideLapses.stop();
    await auditMonths.stop();
    if (database.embedded) await checkpoints.stop();
    await server.close();
    if (!database.embedded) await checkpoints.stop();
    await alertFeed.stop();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

runCli(main, {
  failure: 'Concord failed to start',
  hint: 'Settings are environment variables (README, "Configuration"); the embedded database lives under CONCORD_DATA_DIR (default .data/).',
});
