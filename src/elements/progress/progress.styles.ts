import { css } from 'lit';

export const styles = css`
  .list { display: grid; gap: 0.75em; }
  .card { border: 1px solid var(--ucc-color-track, #e5e7eb); border-radius: var(--ucc-radius, 8px); padding: 0.75em; }
  h3 { margin: 0 0 0.5em; font-size: 1em; }
  p { margin: 0.35em 0 0; }
  .bar { height: 0.75em; border-radius: 999px; background: var(--ucc-color-track, #e5e7eb); overflow: hidden; }
  .fill { height: 100%; background: var(--ucc-color-primary, #1d4ed8); transition: width 0.3s; }
  .cal { display: flex; flex-wrap: wrap; gap: 0.3em; margin-top: 0.5em; }
  .cal button { display: block; width: 1.4em; height: 1.4em; padding: 0; margin: 0; border-radius: 50%; border: 2px solid var(--ucc-color-track, #d1d5db); background: none; color: inherit; }
  .cal [aria-expanded=true] { box-shadow: 0 0 0 2px; }
  [part~=log-undone] { text-decoration: line-through; }
  .cal .met { background: var(--ucc-color-success, #15803d); border-color: var(--ucc-color-success, #15803d); }
  .cal .missed { border-color: var(--ucc-color-danger, #b91c1c); }
  .cal .current { border-color: var(--ucc-color-primary, #1d4ed8); border-width: 3px; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  .badge {
    margin-inline-start: 0.5em; padding: 0.1em 0.5em; border-radius: 999px; font-size: 0.8em;
    background: var(--ucc-color-success, #15803d); color: var(--ucc-color-on-primary, #fff);
  }
  .badge.ended, .badge.left { background: var(--ucc-color-muted, #4b5563); }
  .points { font-weight: 600; }
  @media (prefers-reduced-motion:reduce) { .fill { transition: none; } }
`;
