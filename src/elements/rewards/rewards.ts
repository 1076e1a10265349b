import { UccRewards } from './rewards.component.js';

export { UccRewards };
UccRewards.define('ucc-rewards');

declare global {
  interface HTMLElementTagNameMap {
    'ucc-rewards': UccRewards;
  }
}
