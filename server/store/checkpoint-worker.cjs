/**
 * Background WAL checkpointer (a worker thread started by server/store/checkpointer.ts): its own
 * connection to the database copies committed WAL frames back into the database file every
 * `intervalMs`, so the connection that serves requests never pays for checkpoints inline.
 * PASSIVE never waits for, or blocks, the writer; once it has copied the whole WAL, the writer
 * starts the WAL over at its next transaction, which keeps the file's size bounded.
 * Plain CommonJS so that it runs without the TypeScript loader.
 */
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);

const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('wal_autocheckpoint = 0');
let runs = 0, frames = 0;
const tick = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    runs++;
    frames += r.checkpointed > 0 ? r.checkpointed : 0;
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: String(err && err.message || err) });
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stats') parentPort.postMessage({ type: 'stats', runs, frames });
  if (m === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.postMessage({ type: 'stopped' });
    parentPort.close();
  }
});
parentPort.postMessage({ type: 'ready' });
