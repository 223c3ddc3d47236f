/**
 * Tester registry: one module per connection type, loaded on first use (pg, mysql2 and ssh2 are
 * heavy; esbuild builds them as separate bundles, see `lazyModules` in esbuild.mjs).
 */
export {};
