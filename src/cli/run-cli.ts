// Runs a command-line entry point (the CLIs, `npm start`): a failure prints what went wrong in
// words — never a bare `undefined` — and a hint of what to do, then exits with status 1.
import { EmbeddedDatabaseError } from '../database/embedded';

interface CliOptions {
  /** Starts the failure line, e.g. `Concord failed to start`; the script's name by default. */
  failure?: string;
  /** One line on what to check or do next. */
  hint?: string;
}

export function runCli(main: () => Promise<void>, options: CliOptions = {}): void {
  main().catch((error: unknown) => {
    const failure = options.failure ?? `${scriptName()} failed`;
    const lines = [`${failure}: ${describeError(error)}`];
    if (options.hint) lines.push(options.hint);
    // A failure nobody foresaw keeps its stack trace, for whoever fixes it.
    if (error instanceof Error && !(error instanceof EmbeddedDatabaseError) && error.stack)
      lines.push('', error.stack);
    console.error(lines.join('\n'));
    process.exit(1);
  });
}

/** A one-line account of any thrown value: its message, else its code or name, else what it is. */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError) {
    const inner = error.errors.map(describeError).join('; ');
    return [error.message, inner].filter(Boolean).join(': ') || 'several errors without a message';
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const cause = error.cause === undefined ? '' : ` (cause: ${describeError(error.cause)})`;
    return `${error.message || (typeof code === 'string' ? code : error.name)}${cause}`;
  }
  if (error === undefined || error === null)
    return `it failed without giving a reason (${String(error)} was thrown)`;
  if (typeof error === 'object') {
    try {
      return JSON.stringify(error);
    } catch {
      return Object.prototype.toString.call(error);
    }
  }
  return String(error);
}

const scriptName = () => (process.argv[1] ?? 'the command').replace(/^.*[\\/]/, '').replace(/\.[jt]s$/, '');
