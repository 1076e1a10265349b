// The few Mocha globals the element tests use (wtr runs them with Mocha); saves a dependency on @types/mocha.
declare function describe(title: string, fn: () => void): void;
declare function it(title: string, fn: () => unknown): void;
declare function beforeEach(fn: () => unknown): void;
declare function afterEach(fn: () => unknown): void;
