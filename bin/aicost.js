#!/usr/bin/env node
// Runs the compiled CLI: dist/ is built from src/ by `npm run build`, which `npm install` and `npm ci`
// run ("prepare"). During development `npm run dev -- <command>` runs the TypeScript sources with tsx.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('aicost is not built yet: run `npm run build` (`npm install` does it).');
  process.exit(1);
}
await import(entry.href);
