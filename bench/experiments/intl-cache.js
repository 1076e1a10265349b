// EXPERIMENT, not shipped code: a page init script (BENCH_PAGE_INIT=./bench/experiments/intl-cache.js
// npm run bench -- browser) that makes `new Intl.DateTimeFormat / NumberFormat / PluralRules` return
// one cached formatter per (locales, options). It measures the proposed fix for src/i18n/index.ts
// (`date`, `num`, `qty` build a new Intl object on every call; <ucc-progress> calls `date` twice
// per period, 1,200 times for 20 challenges of 30 days) without editing the widgets.
(() => {
  for (const name of ['DateTimeFormat', 'NumberFormat', 'PluralRules']) {
    const Orig = Intl[name];
    const cache = new Map();
    const Cached = function (locales, options) {
      const key = JSON.stringify([locales, options]);
      let f = cache.get(key);
      if (!f) { f = new Orig(locales, options); cache.set(key, f); }
      return f;
    };
    Cached.prototype = Orig.prototype;
    Cached.supportedLocalesOf = Orig.supportedLocalesOf.bind(Orig);
    Intl[name] = Cached;
  }
})();
