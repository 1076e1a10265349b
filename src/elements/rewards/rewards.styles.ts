import { css } from 'lit';

export const styles = css`
  .list { display: grid; gap: 0.75em; margin-bottom: 0.75em; }
  .card { border: 1px solid var(--ucc-color-track, #e5e7eb); border-radius: var(--ucc-radius, 8px); padding: 0.75em; }
  h3 { margin: 0 0 0.35em; font-size: 1em; }
  p { margin: 0.35em 0 0; }
  [part~=cost] { font-weight: 700; }
  .muted, .REDEEMED, .EXPIRED { color: var(--ucc-color-muted, #4b5563); }
  .ACTIVE { color: var(--ucc-color-success, #15803d); font-weight: 600; }
  .coupon { border: 2px dashed var(--ucc-color-track, #d1d5db); border-radius: var(--ucc-radius, 8px); padding: 0.75em; margin: 0.5em 0; }
  code { font-size: 1.15em; font-weight: 700; letter-spacing: 0.05em; margin-inline-end: 0.5em; }
  .row { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 0.75em; padding: 0.3em 0; border-bottom: 1px solid var(--ucc-color-track, #e5e7eb); }
  .row code { font-size: 1em; }
`;
