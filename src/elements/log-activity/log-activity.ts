import { UccLogActivity } from './log-activity.component.js';

export { UccLogActivity };
UccLogActivity.define('ucc-log-activity');

declare global {
  interface HTMLElementTagNameMap {
    'ucc-log-activity': UccLogActivity;
  }
}
