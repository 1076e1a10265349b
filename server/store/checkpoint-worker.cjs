/**
 * Background WAL checkpointer (a worker thread started by server/store/checkpointer.ts): its own
 * connection to the database copies committed WAL frames back into the database file every
 * `intervalMs`, so the connection that serves requests never pays for checkpoints inline.
 * PASSIVE never waits for, or blocks, the writer; once it has copied the whole WAL, the writer
 * starts the WAL over at its next transaction. Under writes so steady that it never catches up,
 * the request connection's backstop auto-checkpoint (server/store/checkpointer.ts) copies the
 * little left and the WAL starts over then.
 * Plain CommonJS so that it runs without the TypeScript loader.
 */
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);

const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('wal_autocheckpoint = 0');
let runs = 0,
  copied = 0,
  last = { log: 0, checkpointed: 0 };
const tick = () => {
  try {
    // PASSIVE never waits for the writer nor blocks it. (RESTART, tried to start the WAL over under
    // steady writes, made the request thread wait on the lock: p99 15–16 ms without, 24 ms with.)
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    runs++;
    const startedOver = r.log < last.log; // the writer started the WAL over since the last pass
    copied += Math.max(0, r.checkpointed - (startedOver ? 0 : last.checkpointed));
    last = { log: r.log, checkpointed: r.checkpointed };
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: String((err && err.message) || err) });
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stats')
    parentPort.postMessage({ type: 'stats', runs, frames: copied, log: last.log, checkpointed: last.checkpointed });
  if (m === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.postMessage({ type: 'stopped' });
    parentPort.close();
  }
});
parentPort.postMessage({ type: 'ready' });
