import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench -- test-suite` (issue 23 item 6, goal: `npm test` in at most 5 minutes on these machines):
 * the wall time and CPU seconds of `vitest run` with the project's own configuration, as `npm test` runs
 * it, over BENCH_TEST_FILES (space-separated paths or vitest filters; default: the whole suite, the
 * figure the goal is about). Baseline from the same run: `vitest run test/unit/money.test.ts`, a file of
 * pure unit tests, i.e. what the runner costs before any test of ours does work (start, the build check of
 * the global setup, one worker), median of BENCH_TEST_BASELINE_RUNS (default 3).
 *
 * The environment is passed on as it is: with TEST_POSTGRES_URL set, the database suites run on
 * PostgreSQL too (the line says which). CPU seconds are those of the whole vitest process tree (this
 * process's children's user + system time from /proc/self/stat, Linux only; null elsewhere). Vitest's
 * progress goes to stderr, its per-file results to a JSON report, from which the line names the slowest
 * files. Bounded: a run is killed after BENCH_TEST_TIMEOUT_S (default 1,800) seconds.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const files = (process.env.BENCH_TEST_FILES ?? '').split(/\s+/).filter(Boolean);
const BASELINE = ['test/unit/money.test.ts'];
const BASELINE_RUNS = Math.max(1, Number(process.env.BENCH_TEST_BASELINE_RUNS ?? 3));
const TIMEOUT_MS = Number(process.env.BENCH_TEST_TIMEOUT_S ?? 1800) * 1000;
const dir = mkdtempSync(join(tmpdir(), 'aicost-bench-tests-'));

/** User + system seconds of this process's waited-for children (and theirs), from /proc/self/stat. */
function childrenCpu(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: cutime, cstime are 16, 17.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[13]) + Number(rest[14]);
    return ticks / 100; // USER_HZ: 100 on Linux, whatever the kernel's HZ
  } catch {
    return null;
  }
}

interface Report {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { name: string; startTime: number; endTime: number; status: string }[];
}

interface Run {
  wallS: number;
  cpuS: number | null;
  code: number | null;
  report: Report | null;
}

async function vitestRun(args: string[], name: string): Promise<Run> {
  const out = join(dir, `${name}.json`);
  const cpu0 = childrenCpu();
  const t0 = performance.now();
  const child = spawn(process.execPath, [vitest, 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${out}`, ...args], {
    cwd: root,
    env: { ...process.env, CI: '' },
    stdio: ['ignore', process.stderr, 'inherit'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
  clearTimeout(killer);
  const wallS = (performance.now() - t0) / 1000;
  const cpu1 = childrenCpu();
  let report: Report | null = null;
  try {
    report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  } catch {
    report = null;
  }
  return { wallS, cpuS: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, code, report };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

try {
  const baselines: Run[] = [];
  for (let i = 0; i < BASELINE_RUNS; i++) baselines.push(await vitestRun(BASELINE, `baseline-${i}`));
  if (baselines.some((b) => b.code !== 0)) throw new Error(`the baseline (vitest run ${BASELINE.join(' ')}) failed`);
  const suite = await vitestRun(files, 'suite');
  const r = suite.report;
  const cpus = baselines.flatMap((b) => (b.cpuS === null ? [] : [b.cpuS]));
  console.log(
    JSON.stringify({
      bench: files.length ? 'test-suite.subset.wall' : 'test-suite.npm_test.wall',
      value: round(suite.wallS),
      unit: 's',
      cpuS: round(suite.cpuS),
      baseline: round(median(baselines.map((b) => b.wallS))),
      baselineCpuS: cpus.length ? round(median(cpus)) : null,
      baselineLabel: `vitest run ${BASELINE.join(' ')} (the runner's fixed cost), median of ${BASELINE_RUNS}, same run`,
      goal: files.length ? null : 300,
      files: files.length ? files : 'all (npm test)',
      postgres: Boolean(process.env.TEST_POSTGRES_URL),
      exitCode: suite.code,
      testFiles: r?.testResults.length ?? null,
      tests: r ? { total: r.numTotalTests, passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests } : null,
      slowest: (r?.testResults ?? [])
        .map((t) => ({ file: relative(root, t.name), s: round((t.endTime - t.startTime) / 1000) }))
        .sort((a, b) => (b.s ?? 0) - (a.s ?? 0))
        .slice(0, 8),
    }),
  );
  // A figure of a failing or killed suite is printed, but the bench says it failed.
  if (suite.code !== 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
