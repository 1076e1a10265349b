/** The documents the engine works on live in the model leaf; re-exported for the engine's modules. */
export type * from '../model/documents.js';
