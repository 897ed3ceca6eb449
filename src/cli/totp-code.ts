// `npm run totp:code -- [SECRET]` (or `node dist/src/cli/totp-code.js [SECRET]`): prints the code an
// authenticator app shows now for a base32 TOTP secret — by default the demo city's, which every demo
// LEADER, `admin` and `auditor` is enrolled with (README, "Signing in"). A stand-in for the phone when
// trying the API; it reads nothing but its argument and the clock.
import 'reflect-metadata';
import { DEMO_TOTP_SECRET } from '../database/demo-data';
import { secondsLeftOfStep, totpCode } from '../auth/totp';
import { runCli } from './run-cli';

async function main(): Promise<void> {
  const secret = process.argv[2] ?? DEMO_TOTP_SECRET;
  const now = new Date();
  const seconds = secondsLeftOfStep(now);
  process.stdout.write(`${totpCode(secret, now)}   (changes in ${seconds} s; each code signs in once)\n`);
}

runCli(main, { hint: 'Give the secret in base32, as beginTotpEnrolment showed it.' });
