// Builds the extension, the CLI and the lazily loaded provider/tester bundles.
//   node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * Modules loaded on first use. Each becomes its own bundle under dist/, and the registry's
 * `import('./x')` is rewritten to require that bundle at run time, so the SDK inside is neither
 * parsed nor evaluated at activation. Add a line here when a registry gains a heavy module.
 */
const lazyModules = {
  'src/providers/index.ts': ['aws', 'vault', 'azure'],
  'src/testers/index.ts': ['http', 'postgres', 'mysql', 'ssh'],
};

function resolveSource(dir, name) {
  for (const candidate of [`${name}.ts`, `${name}/index.ts`]) {
    const p = path.join(dir, candidate);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`lazy module ${dir}/${name} not found`);
}

const lazyEntryPoints = [];
for (const [registry, names] of Object.entries(lazyModules)) {
  const dir = path.dirname(registry);
  for (const name of names) {
    lazyEntryPoints.push({ in: resolveSource(dir, name), out: `${path.basename(dir)}/${name}` });
  }
}

/** @type {esbuild.Plugin} */
const lazyPlugin = {
  name: 'lazy-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\/[\w-]+$/ }, (args) => {
      const registry = path.relative(process.cwd(), args.importer).split(path.sep).join('/');
      const names = lazyModules[registry];
      if (args.kind !== 'dynamic-import' || !names) return undefined;
      const name = args.path.slice(2);
      if (!names.includes(name)) return undefined;
      return { path: `./${path.basename(path.dirname(registry))}/${name}.js`, external: true };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  sourcesContent: false,
  // import() of the lazy bundles becomes require(): the extension host hooks require, and the
  // bundles are CommonJS.
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
  // Optional native add-ons of ssh2 / pg; the pure-JS paths are used.
  external: ['vscode', 'cpu-features', 'pg-native', '*.node'],
  plugins: [lazyPlugin],
};

/**
 * Webview scripts: browser bundles written next to their stylesheets under media/<panel>/ (the
 * only folder a panel may load from); git-ignored, shipped in the .vsix with media/.
 */
const webviews = {
  browser: { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', minify: production, sourcemap: false, logLevel: 'warning' },
  entries: [{ in: 'src/webview/troubleshoot/main.ts', out: 'troubleshoot/main' }],
};

const builds = [
  { ...common, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist' },
  { ...webviews.browser, entryPoints: webviews.entries, outdir: 'media' },
  { ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: lazyEntryPoints, outdir: 'dist' },
];

if (watch) {
  for (const options of builds) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  fs.chmodSync('dist/cli.js', 0o755);
}
