import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

/**
 * Checkpoints a WAL database from a worker thread (checkpoint-worker.cjs) instead of inline after
 * commits. Measured on the log path (bench/log-throughput.ts): inline auto-checkpoints took about
 * a third of the request thread's time and caused the p99 spikes. The request connection keeps a
 * far higher auto-checkpoint threshold as a backstop, so the WAL stays bounded even if the
 * worker falls behind or dies.
 */
export const BACKSTOP_PAGES = 16_384; // ≈ 64 MB of WAL at 4 KB pages

export class Checkpointer {
  private worker: Worker;
  private stopped = false;
  readonly ready: Promise<void>;
  lastError: string | null = null;

  constructor(file: string, intervalMs = 50) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(new URL('./checkpoint-worker.cjs', import.meta.url), {
      workerData: { file, driver, intervalMs },
    });
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.on('message', (m: { type: string; message?: string }) => {
        if (m.type === 'ready') resolve();
        if (m.type === 'error') this.lastError = m.message ?? 'checkpoint failed';
      });
    });
    // A worker that failed to start leaves checkpoints to the backstop; the store keeps working.
    this.ready.catch((err) => {
      this.lastError = String(err?.message ?? err);
    });
  }

  /** Passes run, frames copied so far, and the WAL's frames and copied frames at the last pass. */
  stats(): Promise<{ runs: number; frames: number; log: number; checkpointed: number }> {
    return new Promise((resolve) => {
      const on = (m: { type: string; runs: number; frames: number; log: number; checkpointed: number }) => {
        if (m.type === 'stats') {
          this.worker.off('message', on);
          resolve(m);
        }
      };
      this.worker.on('message', on);
      this.worker.postMessage('stats');
    });
  }

  /** Stops the worker; its connection closes after the checkpoint it is running, if any. */
  stop(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    return new Promise((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('stop');
    });
  }
}
