// Defines every element, as the root entry does; element-entries.test.ts uses fixtures.ts alone.
import '../../src/index.js';

export * from './fixtures.js';
