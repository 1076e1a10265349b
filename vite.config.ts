import { defineConfig } from 'vite';

// Placeholder until the widgets land: the browser build is defined with the elements (issue 4).
export default defineConfig({});
