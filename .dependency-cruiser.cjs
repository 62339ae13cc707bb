/**
 * The layer rule of aicost, checked in CI (`npm run check:deps`). Dependencies point one way:
 *
 *   domain ← services ← commands ← presentation ← adapters ← main
 *
 * - domain        src/domain/              pure logic: money, periods, allocation, budgets, detector, and
 *                                          the pure readers of typed input (src/domain/input/)
 * - services      src/services/            use cases; they own their result types and ports (interfaces
 *                                          the adapters implement) and emit notices as data; reads take
 *                                          the request's Viewer (services/visibility.ts)
 * - commands      src/commands/            one module per /aicost verb: help, parser, run (calls services
 *                                          with the Viewer, returns an Outcome as data); registry.ts
 * - presentation  src/format/, src/slack/blocks/, src/slack/{chart,block-limits,ids}.ts
 *                                          view models → text lines and Block Kit, no I/O
 * - adapters      src/slack/ (listeners, app, notifier), src/db/, src/sources/, src/jobs/, src/demo/,
 *                 src/cli.ts, src/config.ts, src/logger.ts
 * - main          src/main.ts, src/app.ts, src/container.ts: the composition root
 *
 * Only src/db/ touches Prisma, its generated clients and the database drivers. See ARCHITECTURE.md.
 */
const PRESENTATION = '^src/(format/|slack/blocks/|slack/(chart|block-limits|ids)[.]ts$)';
const MAIN = '^src/(main|app|container)[.]ts$';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'A cycle makes two modules one; break it by moving the shared type down a layer.', from: {}, to: { circular: true } },
    { name: 'domain-is-pure', severity: 'error', comment: 'The domain imports only the domain.', from: { path: '^src/domain/' }, to: { path: '^src/', pathNot: '^src/domain/' } },
    {
      name: 'services-point-inward',
      severity: 'error',
      comment: 'Services use the domain and each other; commands, Slack, the database, the sources and formatting depend on them, not the other way round (declare a port in src/services/ instead).',
      from: { path: '^src/services/' },
      to: { path: '^src/', pathNot: '^src/(domain|services)/' },
    },
    {
      name: 'commands-use-services',
      severity: 'error',
      comment: 'A verb parses text and calls services with the Viewer; its words are presentation, its I/O adapters.',
      from: { path: '^src/commands/' },
      to: { path: '^src/', pathNot: '^src/(domain|services|commands)/' },
    },
    {
      name: 'presentation-is-pure',
      severity: 'error',
      comment: 'Presentation turns service results into text and blocks; it does no I/O.',
      from: { path: PRESENTATION },
      to: { path: '^src/', pathNot: `^src/(domain|commands|services)/|${PRESENTATION}` },
    },
    { name: 'only-main-composes', severity: 'error', comment: 'Nothing imports the composition root.', from: { pathNot: `${MAIN}|^src/cli[.]ts$` }, to: { path: MAIN } },
    {
      name: 'only-repositories-touch-prisma',
      severity: 'error',
      comment: 'Prisma, its generated clients and the SQL drivers are used in src/db/ only.',
      from: { path: '^src/', pathNot: '^src/(db|generated)/' },
      to: { path: '^src/generated/|node_modules/(@prisma|better-sqlite3|pg)/' },
    },
    { name: 'no-test-code-in-src', severity: 'error', from: { path: '^src/' }, to: { path: '^(test|bench)/' } },
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    // TypeScript 7 has no JavaScript compiler API, so imports are read with swc.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], mainFields: ['module', 'main', 'types'] },
  },
};
