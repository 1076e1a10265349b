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
db.pragma('busy_timeout = 0'); // never wait for the writer: try again next tick
let runs = 0, frames = 0, restarts = 0;
const tick = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    runs++;
    frames += r.checkpointed > 0 ? r.checkpointed : 0;
    // Under steady writes a PASSIVE pass never ends with the whole WAL copied, so the writer would
    // never start the WAL over. Once little is left, RESTART copies the rest while no transaction is
    // open (it gives up at once if one is) and makes the next transaction start the WAL from the top.
    if (r.log > 0 && r.log - r.checkpointed < workerData.restartBelow) {
      const [x] = db.pragma('wal_checkpoint(RESTART)');
      if (x.busy === 0) restarts++;
    }
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: String(err && err.message || err) });
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stats') parentPort.postMessage({ type: 'stats', runs, frames, restarts });
  if (m === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.postMessage({ type: 'stopped' });
    parentPort.close();
  }
});
parentPort.postMessage({ type: 'ready' });
