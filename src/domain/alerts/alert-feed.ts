// Live delivery of alerts. deliverAlert() sends pg_notify inside the alert's own transaction, so a
// notice goes out only when the alert commits and reaches every API replica; each replica LISTENs
// and hands each subscriber only the alerts addressed to them.
import { EventEmitter, on } from 'node:events';
import { Client } from 'pg';

export const ALERT_CHANNEL = 'concord_alerts';

export interface AlertEvent {
  alertId: string;
  recipients: string[];
}

/** How long to wait before listening again after the connection was lost: 0.5 s, doubling, at most 30 s. */
const RETRY_MS = { first: 500, max: 30_000 };

export class AlertFeed {
  private readonly events = new EventEmitter();
  private client: Client | null = null;
  private stopped = false;
  private retryMs = RETRY_MS.first;
  private retryTimer: NodeJS.Timeout | null = null;

  /**
   * `log` hears of a lost connection and each attempt to listen again. While the feed is down, alerts
   * still commit and appear in `myAlerts`; only their live push waits for the feed to come back.
   */
  constructor(
    private readonly databaseUrl: string,
    private readonly log: (message: string, error?: unknown) => void = () => undefined,
  ) {
    this.events.setMaxListeners(0);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'concord-alert-feed' });
    // A connection lost to a database restart, a failover or a shutdown must not take the API down.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    await client.connect();
    client.on('notification', (message) => {
      if (message.channel !== ALERT_CHANNEL || !message.payload) return;
      try {
        this.events.emit('alert', JSON.parse(message.payload) as AlertEvent);
      } catch {
        // A malformed notice is not ours to deliver.
      }
    });
    await client.query(`LISTEN ${ALERT_CHANNEL}`);
    this.client = client;
    this.retryMs = RETRY_MS.first;
  }

  private lost(client: Client, error?: unknown): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    this.log('the alert feed lost its database connection; listening again shortly', error);
    this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MS.max);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopped) return;
      this.listen().catch((error: unknown) => {
        this.log('the alert feed could not listen again yet', error);
        this.retryLater();
      });
    }, wait);
    this.retryTimer.unref();
  }

  /** Whether the feed is listening now (for readiness checks and tests). */
  get listening(): boolean {
    return this.client !== null;
  }

  /** The alerts addressed to `userId`, as they commit, until the subscriber goes away. */
  async *alertsFor(userId: string, signal?: AbortSignal): AsyncGenerator<AlertEvent> {
    for await (const [event] of on(this.events, 'alert', { signal }) as AsyncIterable<[AlertEvent]>) {
      if (event.recipients.includes(userId)) yield event;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    client?.removeAllListeners('end');
    await client?.end().catch(() => undefined);
  }
}
