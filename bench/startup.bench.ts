import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSlackStandIn } from '../test/support/slack-stand-in.ts';

/**
 * `npm run bench -- startup`: what a process costs before it does anything, in CPU seconds (user + system
 * of the whole process, every thread, from its own getrusage at exit), the median of BENCH_STARTUP_RUNS
 * runs (default 5). Baselines from the same run: `node -e 0`, and each figure again through tsx from the
 * TypeScript sources (how `bin/aicost.js` ran before the compiled build).
 *
 * - `aicost --help` (goal: at most 3× `node -e 0`)
 * - `aicost ask "top teams last month"` on the demo organisation (`aicost demo`, 120 days; goal 0.6 s)
 * - bot ready: `aicost start` until GET /healthz answers, against the stand-in Slack (goal 1.5 s)
 *
 * CPU rather than wall time: these machines are shared, and wall time measures the neighbours.
 */
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'aicost-bench-startup-'));
const cpuFile = join(dir, 'cpu.json');
const preload = join(dir, 'cpu-at-exit.cjs');
// getrusage(RUSAGE_SELF) counts the whole process from its start, so it does not matter that this runs last.
writeFileSync(
  preload,
  `const { writeFileSync } = require('node:fs');
const out = process.env.AICOST_BENCH_CPU_FILE;
const write = (file) => { const u = process.resourceUsage(); writeFileSync(file, JSON.stringify((u.userCPUTime + u.systemCPUTime) / 1e6)); };
process.on('exit', () => write(out));
process.on('SIGUSR2', () => write(out + '.ready'));
`,
);

const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) throw new Error('npm run build failed');

const compiled = [join(root, 'bin/aicost.js')];
const viaTsx = ['--import', import.meta.resolve('tsx'), join(root, 'src/cli.ts')]; // run from a temporary folder: tsx by its path
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, DATABASE_URL: `file:${join(dir, 'demo.db')}`, AICOST_BENCH_CPU_FILE: cpuFile };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const round = (x: number) => Math.round(x * 1000) / 1000;

/** CPU seconds of one process that runs to its end. */
function cpuOf(args: string[]): number {
  rmSync(cpuFile, { force: true });
  const r = spawnSync(process.execPath, ['--require', preload, ...args], { cwd: dir, env: baseEnv, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}: ${r.stderr.slice(0, 300)}`);
  return JSON.parse(readFileSync(cpuFile, 'utf8')) as number;
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

/** CPU seconds of `aicost start` from its start until GET /healthz answers 200. */
async function botReadyCpu(args: string[], slackApiUrl: string): Promise<number> {
  const port = await freePort();
  const ready = `${cpuFile}.ready`;
  rmSync(ready, { force: true });
  const env = {
    ...baseEnv,
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_SIGNING_SECRET: 'bench-secret',
    FINANCE_CHANNEL_ID: 'C0FINANCE',
    SLACK_API_URL: slackApiUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, ['--require', preload, ...args, 'start'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  try {
    for (const deadline = Date.now() + 120_000; ; ) {
      if (child.exitCode !== null) throw new Error(`aicost start exited with ${child.exitCode}: ${stderr.slice(0, 300)}`);
      if (Date.now() > deadline) throw new Error('aicost start: /healthz did not answer within 120 s');
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGUSR2');
    for (const deadline = Date.now() + 10_000; !existsSync(ready); ) {
      if (Date.now() > deadline) throw new Error('aicost start: no CPU figure after SIGUSR2');
      await new Promise((r) => setTimeout(r, 10));
    }
    return JSON.parse(readFileSync(ready, 'utf8')) as number;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const demo = spawnSync(process.execPath, [...compiled, 'demo'], { cwd: dir, env: baseEnv, stdio: ['ignore', 'ignore', 'inherit'] });
if (demo.status !== 0) throw new Error('aicost demo failed');
const slack = await startSlackStandIn();

const figures = ['node', 'help', 'helpTsx', 'ask', 'askTsx', 'bot', 'botTsx'] as const;
const samples = Object.fromEntries(figures.map((f) => [f, [] as number[]])) as Record<(typeof figures)[number], number[]>;
const ask = ['ask', 'top teams last month'];
for (let i = 0; i < RUNS; i++) {
  // Interleaved, so a burst of load on the machine colours every figure alike.
  samples.node.push(cpuOf(['-e', '0']));
  samples.help.push(cpuOf([...compiled, '--help']));
  samples.helpTsx.push(cpuOf([...viaTsx, '--help']));
  samples.ask.push(cpuOf([...compiled, ...ask]));
  samples.askTsx.push(cpuOf([...viaTsx, ...ask]));
  samples.bot.push(await botReadyCpu(compiled, slack.url));
  samples.botTsx.push(await botReadyCpu(viaTsx, slack.url));
}
await slack.close();
rmSync(dir, { recursive: true, force: true });

const m = Object.fromEntries(figures.map((f) => [f, round(median(samples[f]))])) as Record<(typeof figures)[number], number>;
const line = (bench: string, value: number, tsx: number, goal: Record<string, number>) =>
  console.log(
    JSON.stringify({
      bench,
      value,
      unit: 'cpu_s',
      baseline: m.node,
      baselineLabel: 'node -e 0, same run',
      ratio: round(value / m.node),
      tsx,
      tsxLabel: 'the same through tsx from src/ (bin/aicost.js before the build), same run',
      ...goal,
      runs: RUNS,
    }),
  );
line('startup.help', m.help, m.helpTsx, { goalRatio: 3 });
line('startup.ask_top_teams_last_month', m.ask, m.askTsx, { goal: 0.6 });
line('startup.bot_ready', m.bot, m.botTsx, { goal: 1.5 });
