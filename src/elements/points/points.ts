import { UccPoints } from './points.component.js';

export { UccPoints };
UccPoints.define('ucc-points');

declare global {
  interface HTMLElementTagNameMap {
    'ucc-points': UccPoints;
  }
}
