// `npm start` runs the API with the V8 flags the bench measures it with (src/cli/node-flags.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVER_NODE_FLAGS } from '../../src/cli/node-flags';

test('npm start passes the flags the bench measures the API with', () => {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  expect(manifest.scripts.start).toBe(
    `npm run build && node ${SERVER_NODE_FLAGS.join(' ')} dist/src/main.js`,
  );
});
