/** Builds another entry with the product's own Vite settings (vite.config.ts, production mode, ES output). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type InlineConfig, type UserConfig } from 'vite';
import viteConfig from '../vite.config.js';
import { ROOT } from './lib.js';

async function productConfig(): Promise<UserConfig> {
  const c =
    typeof viteConfig === 'function'
      ? await (viteConfig as any)({ mode: 'production', command: 'build', isSsrBuild: false, isPreview: false })
      : viteConfig;
  return c as UserConfig;
}

/** Builds `entry` into `outDir`/bundle.js (same minify, same plugins as dist/ucc-widgets.js); returns the bytes. */
export async function buildWith(entry: string, outDir: string, extraPlugins: any[] = []): Promise<Buffer> {
  const c = await productConfig();
  const cfg: InlineConfig = {
    ...c,
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    mode: 'production',
    build: {
      ...c.build,
      outDir,
      emptyOutDir: true,
      lib: { ...(c.build!.lib as object), entry, formats: ['es'], fileName: () => 'bundle.js' } as any,
    },
    plugins: [...(c.plugins ?? []), ...extraPlugins],
  };
  await build(cfg);
  return readFileSync(join(outDir, 'bundle.js'));
}
