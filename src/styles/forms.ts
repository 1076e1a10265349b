import { css } from 'lit';

/**
 * Form controls, for the elements that have a form (after shared.ts). A module of its own: a call of
 * lit's css tag is not known to be pure, so a page without forms would keep it if it were in shared.ts.
 */
export const forms = css`
  label { display: block; font-weight: 600; margin: 0.5em 0 0.2em; }
  input, select {
    font: inherit; color: inherit; background: var(--ucc-color-surface, #fff);
    border: 1px solid var(--ucc-color-border, #6b7280); border-radius: var(--ucc-radius-small, 4px);
    padding: 0.35em 0.5em; min-width: 6em;
  }
  [aria-invalid=true] { border-color: var(--ucc-color-danger, #b91c1c); }
  button.secondary { background: transparent; color: var(--ucc-color-primary, #1d4ed8); }
  button:disabled, [aria-disabled=true] { opacity: 0.6; cursor: default; }
`;
