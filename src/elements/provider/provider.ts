import { UccProvider } from './provider.component.js';

export { UccProvider };
UccProvider.define('ucc-provider');

declare global {
  interface HTMLElementTagNameMap {
    'ucc-provider': UccProvider;
  }
}
