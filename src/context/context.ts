import { createContext } from '@lit/context';
import type { UccClientApi } from '../api/client.js';
import type { UccStore } from './store.js';

// Symbol.for: two copies of the bundle on one page (a CMS loading it twice) still find each other's provider.
export const clientContext = createContext<UccClientApi | undefined>(Symbol.for('ucc-client'));
export const storeContext = createContext<UccStore | undefined>(Symbol.for('ucc-store'));
/** The provider's `locale`, when set: the language of every element inside it. */
export const localeContext = createContext<string | undefined>(Symbol.for('ucc-locale'));
