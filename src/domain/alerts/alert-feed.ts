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

export class AlertFeed {
  private readonly events = new EventEmitter();
  private client: Client | null = null;

  constructor(private readonly databaseUrl: string) {
    this.events.setMaxListeners(0);
  }

  async start(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'concord-alert-feed' });
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
  }

  /** The alerts addressed to `userId`, as they commit, until the subscriber goes away. */
  async *alertsFor(userId: string, signal?: AbortSignal): AsyncGenerator<AlertEvent> {
    for await (const [event] of on(this.events, 'alert', { signal }) as AsyncIterable<[AlertEvent]>) {
      if (event.recipients.includes(userId)) yield event;
    }
  }

  async stop(): Promise<void> {
    await this.client?.end();
    this.client = null;
  }
}
