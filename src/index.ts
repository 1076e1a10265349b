/** The script-tag bundle and the npm entry: defines every element and exports the public API. */
export * from './elements/provider/provider.js';
export * from './elements/create-challenge/create-challenge.js';
export * from './elements/log-activity/log-activity.js';
export * from './elements/progress/progress.js';
export * from './elements/points/points.js';
export * from './elements/rewards/rewards.js';
export { UccElement, UccStoreElement } from './elements/ucc-element.js';
export { UccClient, type UccClientApi, type UccClientOptions } from './api/client.js';
export { UccError, isNetworkError } from './api/errors.js';
export { OfflineQueue, type QueuedLog } from './api/offline-queue.js';
import { UccStore } from './context/store.js';
export { UccStore, type Resource, type ResourceKey } from './context/store.js';
export { clientContext, storeContext } from './context/context.js';
export { setMessages, type Messages } from './i18n/index.js';
export type { UccEventMap } from './events.js';
export type * from './api/types.js';

// This entry carries <ucc-log-activity>, so its providers replay the offline queue on every page, as
// they always did; a page importing single elements replays where <ucc-log-activity> is (store-log.ts).
import { replay } from './context/store-log.js';
UccStore.prototype.replay = function () {
  return replay(this);
};
