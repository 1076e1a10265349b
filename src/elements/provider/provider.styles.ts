import { css } from 'lit';

export const styles = css`
  :host { display: contents; }
  [part~=error] {
    display: flex; flex-wrap: wrap; gap: 0.5em 1em; align-items: center; padding: var(--ucc-spacing, 1rem);
    color: var(--ucc-color-danger, #b91c1c); background: var(--ucc-color-surface, #fff); border-radius: var(--ucc-radius, 8px);
  }
  p { margin: 0; }
  button {
    font: inherit; cursor: pointer; border: 2px solid var(--ucc-color-primary, #1d4ed8); border-radius: var(--ucc-radius-small, 4px);
    padding: 0.4em 0.9em; background: var(--ucc-color-primary, #1d4ed8); color: var(--ucc-color-on-primary, #fff);
  }
  :focus-visible { outline: 3px solid var(--ucc-color-focus, #f59e0b); outline-offset: 2px; }
`;
