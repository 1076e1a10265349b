import { css } from 'lit';

export const styles = css`
  [part~=field-error] { margin: 0.2em 0 0; font-size: 0.9em; }
  .reward {
    margin: 0.75em 0 0; padding: 0.5em 0.75em; border-radius: var(--ucc-radius-small, 4px);
    background: var(--ucc-color-highlight, #eff6ff);
  }
`;
