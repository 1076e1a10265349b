import { UccProgress } from './progress.component.js';

export { UccProgress };
UccProgress.define('ucc-progress');

declare global {
  interface HTMLElementTagNameMap {
    'ucc-progress': UccProgress;
  }
}
