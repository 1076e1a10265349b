import { UccCreateChallenge } from './create-challenge.component.js';

export { UccCreateChallenge };
UccCreateChallenge.define('ucc-create-challenge');

declare global {
  interface HTMLElementTagNameMap {
    'ucc-create-challenge': UccCreateChallenge;
  }
}
