import { css } from 'lit';

export const styles = css`
  :host { display: contents; }
  [part~=error] { color: var(--ucc-color-danger, #b91c1c); }
`;
