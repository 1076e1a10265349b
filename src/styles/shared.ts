import { css } from 'lit';

/** Base look shared by every element; each value is a `--ucc-*` token with a fallback. */
export const shared = css`
  :host {
    display: block;
    box-sizing: border-box;
    font-family: var(--ucc-font-family, inherit);
    color: var(--ucc-color-text, #1f2937);
    background: var(--ucc-color-surface, #fff);
    border-radius: var(--ucc-radius, 8px);
    padding: var(--ucc-spacing, 1rem);
    line-height: 1.4;
  }
  :host([hidden]) { display: none; }
  * { box-sizing: inherit; }
  h2 { font-size: 1.15em; margin: 0 0 0.5em; }
  button {
    font: inherit; cursor: pointer; border: 2px solid var(--ucc-color-primary, #1d4ed8);
    border-radius: var(--ucc-radius-small, 4px); padding: 0.4em 0.9em; margin: 0.5em 0 0; margin-inline-end: 0.5em;
    background: var(--ucc-color-primary, #1d4ed8); color: var(--ucc-color-on-primary, #fff);
  }
  :focus-visible { outline: 3px solid var(--ucc-color-focus, #f59e0b); outline-offset: 2px; }
  .error, [part~=error] { color: var(--ucc-color-danger, #b91c1c); }
  ul, ol { padding: 0; margin: 0; list-style: none; }
  [part~=stale] { font-size: 0.875em; margin: 0 0 0.5em; color: var(--ucc-color-muted, #4b5563); }
`;
