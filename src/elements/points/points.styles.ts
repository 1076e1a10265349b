import { css } from 'lit';

export const styles = css`
  .balance { font-size: 1.5em; font-weight: 700; margin: 0 0 0.5em; }
  h3 { font-size: 1em; margin: 0.5em 0 0.25em; }
  li { display: flex; gap: 0.75em; padding: 0.3em 0; border-bottom: 1px solid var(--ucc-color-track, #e5e7eb); }
  .amount { font-weight: 700; min-width: 3.5em; color: var(--ucc-color-success, #15803d); }
  .amount.neg { color: var(--ucc-color-danger, #b91c1c); }
  time { margin-inline-start: auto; }
  .muted { color: var(--ucc-color-muted, #4b5563); }
`;
