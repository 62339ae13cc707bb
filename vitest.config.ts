import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ once, so tests that run bin/aicost.js run the current sources compiled; migrates one
    // template database per provider, which each test database is copied from.
    globalSetup: ['test/support/build-cli.ts', 'test/support/template-databases.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One test file per core at a time. vitest's default is one fewer than the cores: on the 2-core
    // machines that run CI the suite ran one file after another, and a file spends much of its time
    // waiting on PostgreSQL, child processes and loopback HTTP (one file at a time used 33 s of CPU in
    // its own processes for 71 s of wall time). Each file still runs in a process of its own on
    // databases of its own (test/support/database.ts), so two files share nothing.
    maxWorkers: availableParallelism(),
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-report.json' }]] : ['default'],
  },
});
