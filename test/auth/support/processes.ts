// Starts test/auth/support/second-server.ts in a child process: TypeScript compiled on the fly, as
// test/database/embedded-running-instance.test.ts runs its stand-in, so no build is needed.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

const COMPILE_ON_THE_FLY = `
  const ts = require('typescript');
  const fs = require('node:fs');
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true,
    experimentalDecorators: true, emitDecoratorMetadata: true, resolveJsonModule: true };
  require.extensions['.ts'] = (module, filename) => module._compile(
    ts.transpileModule(fs.readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions }).outputText, filename);
  require(process.argv[1]);`;

export interface ServerProcess {
  endpoint: string;
  stop(): Promise<void>;
}

/** A second API server, in its own process, on the database of `databaseUrl`, signing with `secret`. */
export async function startServerProcess(databaseUrl: string, secret: string): Promise<ServerProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-e', COMPILE_ON_THE_FLY, '--', path.join(ROOT, 'test/auth/support/second-server.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, SECOND_SERVER_DATABASE_URL: databaseUrl, SECOND_SERVER_TOKEN_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /\{"endpoint":.*\}/.exec(output);
      if (line) resolve((JSON.parse(line[0]) as { endpoint: string }).endpoint);
    });
    child.on('exit', (code) => reject(new Error(`the second server exited with ${code}: ${output}`)));
  });
  return {
    endpoint,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
