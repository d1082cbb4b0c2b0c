/**
 * The overview scripts (the history) by file name, with their includes expanded: written at build time by
 * `scripts/embed-lua.mjs` as `lua-sources.js` next to the compiled modules, so the package
 * reads no file at run time.
 */
export declare const LUA_SOURCES: Readonly<Record<string, string>>;
