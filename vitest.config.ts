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
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-report.json' }]] : ['default'],
  },
});
