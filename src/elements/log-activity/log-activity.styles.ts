import { css } from 'lit';

export const styles = css`
  .quick { display: block; font-size: 1.2em; font-weight: 700; margin: 0.75em 0 0.25em; }
  .row { display: flex; flex-wrap: wrap; gap: 0 1em; }
  .pending {
    margin-top: 0.75em; padding: 0.5em 0.75em; border-radius: var(--ucc-radius-small, 4px);
    background: var(--ucc-color-warning-surface, #fef3c7);
  }
  .pending p { margin: 0; font-weight: 600; }
`;
