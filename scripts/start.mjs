// `npm start`: builds the widget bundle if it is missing, then runs the server in this process
// (so SIGINT/SIGTERM reach it directly).
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { register } from 'tsx/esm/api';

if (
  !existsSync(new URL('../dist/ucc-widgets.js', import.meta.url)) &&
  existsSync(new URL('../vite.config.ts', import.meta.url))
) {
  try {
    execSync('npm run --silent build', { stdio: 'inherit' });
  } catch {
    console.error('Building the widgets failed; the API still starts, but / and /ucc-widgets.js will answer 503.');
  }
}
register();
await import('../server/main.ts');
