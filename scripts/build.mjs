// `npm run build` (run by `npm install` and `npm ci`, see "prepare"): compiles src/ to dist/, so `aicost`
// and `npm start` run JavaScript instead of transpiling the TypeScript sources at every start.
// One ES module per entry plus a chunk per dynamic import (commands load only what they use). The Prisma
// clients generated in src/generated/ are compiled in. Packages stay imports of node_modules, except the
// pure-ES-module ones that are spread over hundreds of files (date-fns alone is 300): bundled and
// tree-shaken, they cost a fraction of their load time. `npm run bench -- startup` measures the result.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const BUNDLED = new Set(['date-fns', '@date-fns/tz', 'zod', 'csv-parse', 'csv-stringify']);
const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8'));
const external = Object.keys(dependencies)
  .filter((name) => !BUNDLED.has(name))
  .flatMap((name) => [name, `${name}/*`]);

// CommonJS packages are loaded with require(): importing one from an ES module makes Node lex its whole
// source for export names first (0.1 s of CPU for Prisma's runtime alone). Each becomes a small
// CommonJS stub (`module.exports = require(name)`) that esbuild imports like any CommonJS module.
const REQUIRED = ['@prisma/client/runtime/client', 'better-sqlite3', 'pg', 'pino', 'fastest-levenshtein', 'prom-client', '@slack/bolt', '@slack/web-api'];
const requireCommonJs = {
  name: 'require-commonjs',
  setup(b) {
    const filter = new RegExp(`^(${REQUIRED.map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) =>
      args.namespace === 'require-commonjs' ? { path: args.path, external: true } : { path: args.path, namespace: 'require-commonjs' },
    );
    b.onLoad({ filter: /.*/, namespace: 'require-commonjs' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

// Prisma's query compiler (WebAssembly) ships as an ES module holding it as a 2.5 MB base64 string, and
// parsing that module costs more CPU than compiling the WebAssembly. The build writes the binary beside
// the chunks instead, and the module the generated clients import reads it from there. It exports the
// bytes where the clients expect base64: they call `Buffer.from(wasm, 'base64')`, which copies a Buffer
// as it is (the encoding applies to strings only), so nothing is encoded or decoded.
const prismaWasm = {
  name: 'prisma-wasm-file',
  setup(b) {
    const require = createRequire(import.meta.url);
    b.onResolve({ filter: /^@prisma\/client\/runtime\/query_compiler_bg\.\w+\.wasm-base64\.mjs$/ }, (args) => ({ path: args.path, namespace: 'prisma-wasm' }));
    b.onLoad({ filter: /.*/, namespace: 'prisma-wasm' }, (args) => {
      const source = readFileSync(require.resolve(args.path), 'utf8');
      const base64 = source.slice(source.indexOf('"') + 1, source.lastIndexOf('"'));
      const file = args.path.replace(/^.*\//, '').replace('.wasm-base64.mjs', '.wasm');
      mkdirSync('dist/chunks', { recursive: true });
      writeFileSync(`dist/chunks/${file}`, Buffer.from(base64, 'base64'));
      // Only ever imported dynamically, so this module is always in a chunk in dist/chunks/.
      return {
        contents: `import { readFileSync } from 'node:fs';\nexport const wasm = readFileSync(new URL(${JSON.stringify(`./${file}`)}, import.meta.url));\n`,
        loader: 'js',
      };
    });
  },
};

/** Whether dist/ is older than any file the build reads (or missing). */
function stale() {
  if (!existsSync('dist/cli.js')) return true;
  const built = statSync('dist/cli.js').mtimeMs;
  const inputs = ['scripts/build.mjs', 'package.json', ...readdirSync('src', { recursive: true, encoding: 'utf8' }).map((p) => `src/${p}`)];
  return inputs.some((file) => statSync(file).mtimeMs > built);
}

// `--if-stale` (the tests' globalSetup, the startup bench): leave an up-to-date build alone, so a run
// started meanwhile does not pull the files from under another run's CLI processes.
if (process.argv.includes('--if-stale') && !stale()) process.exit(0);

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [requireCommonJs, prismaWasm],
  // The `require` the stubs above call (an ES module has none of its own).
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
