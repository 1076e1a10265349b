import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `executeServerCommand('ucc-screenshot', { path, clip })` (test/elements/i18n.test.ts): Chromium's own
 * screenshot of the page (or of `clip`, in CSS pixels), saved at `path` under .tmp/ and returned as
 * base64 PNG for pixel checks.
 */
const screenshot = {
  name: 'ucc-screenshot',
  async executeCommand({ command, payload, session }) {
    if (command !== 'ucc-screenshot') return undefined;
    const file = resolve(payload.path);
    if (relative(resolve('.tmp'), file).startsWith('..'))
      throw new Error(`ucc-screenshot: ${payload.path} is not under .tmp/`);
    const png = await session.browser.getPage(session.id).screenshot({ clip: payload.clip, encoding: 'base64' });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, Buffer.from(png, 'base64'));
    return png;
  },
};

export default {
  files: ['test/elements/**/*.test.ts'],
  nodeResolve: { exportConditions: ['development'] },
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
    screenshot,
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--headless',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      },
    }),
  ],
  filterBrowserLogs: ({ args }) => !args.some((a) => typeof a === 'string' && a.includes('Lit is in dev mode')),
  testFramework: { config: { timeout: 5000 } },
};
