import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared-docs.ts';
import { startSlackStandIn } from '../support/slack-stand-in.ts';

/**
 * Issue 23, item 4: the container image's own steps, run without a container engine (these machines
 * have none). The Dockerfile is read and each stage's COPY and RUN steps are carried out in a clean
 * directory of its own (the stage's `/` is a temporary folder), then the runtime stage's CMD is started
 * after the compose file's `migrate` command, both endpoints are probed, the HEALTHCHECK command is run,
 * and SIGTERM must end it cleanly. So `npm ci --omit=dev`, `npm run build`, migrate and start are the
 * image's exact commands, not a copy of them.
 *
 * Opt-in (AICOST_IMAGE_TEST=1): it installs the dependencies twice in clean folders and compiles
 * better-sqlite3 (minutes on two cores). npm's cache is reused and `--prefer-offline` is set through
 * npm's environment, so it downloads nothing the cache holds. It skips, with the reason, when
 * `npm run build` is not defined yet.
 */
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
const skipReason = !process.env.AICOST_IMAGE_TEST
  ? 'slow (npm ci twice and a build in clean folders): set AICOST_IMAGE_TEST=1 to run it'
  : !pkg.scripts?.build
    ? 'package.json has no "build" script yet: the image runs `npm run build` (compiled JS in dist/)'
    : null;

interface Step {
  op: string;
  args: string;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function dockerfileSteps(text: string): Step[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\w+)\s+(.*)$/.exec(l)!;
      return { op: m[1]!.toUpperCase(), args: m[2]!.trim() };
    });
}

const execForm = (args: string): string[] => JSON.parse(args.replace(/^CMD\s+/, '')) as string[];

function ignored(): (path: string) => boolean {
  const patterns = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return (path) => {
    const rel = relative(REPO_ROOT, path);
    return patterns.some((p) => (p.startsWith('*.') ? rel.endsWith(p.slice(1)) : rel === p || rel.startsWith(`${p}/`)));
  };
}

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

describe('the container image, step by step, without a container engine', () => {
  const root = mkdtempSync(join(tmpdir(), 'aicost-image-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }), 300_000);

  it.skipIf(skipReason !== null)(
    `builds, migrates, starts, answers /healthz and /readyz, and stops on SIGTERM${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    async () => {
      const steps = dockerfileSteps(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
      const skip = ignored();
      const stages = new Map<string, string>();
      let stage = '';
      let workdir = '';
      let env: Record<string, string> = {};
      let cmd: string[] = [];
      let healthcheck: string[] = [];
      const inStage = (p: string) => join(stages.get(stage)!, p.startsWith('/') ? p : join(workdir, p));
      const baseEnv = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        // npm's own settings through its environment: the cache is reused, nothing the cache holds is downloaded.
        npm_config_prefer_offline: 'true',
        ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
      };
      for (const { op, args } of steps) {
        if (op === 'FROM') {
          stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `stage${stages.size}`;
          stages.set(stage, join(root, stage));
          mkdirSync(stages.get(stage)!, { recursive: true });
          workdir = '/';
          env = {};
        } else if (op === 'WORKDIR') {
          workdir = args;
          mkdirSync(inStage('.'), { recursive: true });
        } else if (op === 'ENV') {
          for (const m of args.matchAll(/(\w+)=(\S+)/g)) env[m[1]!] = m[2]!;
        } else if (op === 'COPY') {
          const words = args.split(/\s+/);
          const from = /^--from=(\S+)/.exec(words[0]!)?.[1];
          const parts = words.filter((w) => !w.startsWith('--'));
          const dest = parts.pop()!;
          for (const src of parts) {
            const source = from ? join(stages.get(from)!, src) : join(REPO_ROOT, src);
            const many = parts.length > 1 || dest.endsWith('/');
            const target = src === '.' ? inStage(dest) : many ? join(inStage(dest), src.split('/').pop()!) : inStage(dest);
            cpSync(source, target, { recursive: true, filter: (p) => from !== undefined || !skip(p) });
          }
        } else if (op === 'RUN') {
          // Preparing the unprivileged user's data folder needs the image's `node` user and root: not here.
          if (/\bchown\b/.test(args)) continue;
          const run = spawnSync('sh', ['-c', args], { cwd: inStage('.'), env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 3_600_000 });
          expect(run.status, `RUN ${args} in stage ${stage}:\n${run.stdout}\n${run.stderr}`).toBe(0);
        } else if (op === 'CMD') {
          cmd = execForm(args);
        } else if (op === 'HEALTHCHECK') {
          healthcheck = execForm(args.slice(args.indexOf('CMD ') + 4));
        }
      }
      expect(cmd.length).toBeGreaterThan(0);
      const app = inStage('.');
      expect(existsSync(join(app, 'src'))).toBe(false); // compiled JS only in the image
      const slack = await startSlackStandIn();
      const port = await freePort();
      const runtimeEnv: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOME: app,
        ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace('file:/app/', `file:${app}/`)])),
        PORT: String(port),
        HOST: '127.0.0.1',
        SLACK_BOT_TOKEN: 'xoxb-image-test-0000',
        SLACK_SIGNING_SECRET: 'image-test-signing-secret-0123456789',
        SLACK_API_URL: slack.url,
        FINANCE_CHANNEL_ID: 'C0FINANCE',
        SCHEDULER_ENABLED: 'false',
      };
      mkdirSync(join(app, 'data'), { recursive: true });
      try {
        // The compose file's one-shot migration, then the image's CMD.
        const compose = parse(readFileSync(join(REPO_ROOT, 'compose.yaml'), 'utf8')) as { services: Record<string, { command?: string[] }> };
        const [migrateBin, ...migrateArgs] = compose.services.migrate!.command!;
        const migrated = spawnSync(migrateBin!, migrateArgs, { cwd: app, env: runtimeEnv, encoding: 'utf8' });
        expect(migrated.status, migrated.stderr).toBe(0);
        expect(migrated.stdout).toMatch(/Applied: 0001_init/);
        const [bin, ...rest] = cmd;
        const bot = spawn(bin!, rest, { cwd: app, env: runtimeEnv, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        bot.stdout.on('data', (d) => (output += d));
        bot.stderr.on('data', (d) => (output += d));
        const exited = new Promise<number | null>((done) => bot.on('exit', (code) => done(code)));
        let ready: Response | null = null;
        for (let i = 0; i < 300 && !ready?.ok; i++) {
          await new Promise((r) => setTimeout(r, 200));
          ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
        }
        expect(ready?.status, output).toBe(200);
        expect(await ready!.json()).toEqual({ ok: true, database: 'reachable', migrations: 'applied' });
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
        const [hcBin, ...hcArgs] = healthcheck;
        expect(spawnSync(hcBin!, hcArgs, { cwd: app, env: runtimeEnv }).status).toBe(0);
        bot.kill('SIGTERM');
        expect(await exited, output).toBe(0);
      } finally {
        await slack.close();
      }
    },
    7_200_000,
  );

  it('reads the Dockerfile: multi-stage, non-root, a HEALTHCHECK, and the CMD that starts the bot', () => {
    const steps = dockerfileSteps(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
    expect(steps.filter((s) => s.op === 'FROM').length).toBeGreaterThanOrEqual(2);
    expect(steps.some((s) => s.op === 'RUN' && /^npm ci --omit=dev\b/.test(s.args))).toBe(true);
    expect(steps.some((s) => s.op === 'RUN' && /^npm run build\b/.test(s.args))).toBe(true);
    const last = steps.slice(steps.map((s) => s.op).lastIndexOf('FROM'));
    expect(last.find((s) => s.op === 'USER')?.args).toBe('node');
    expect(last.some((s) => s.op === 'HEALTHCHECK' && s.args.includes('/healthz'))).toBe(true);
    expect(execForm(last.find((s) => s.op === 'CMD')!.args)).toEqual(['node', 'bin/aicost.js', 'start']);
    expect(resolve(REPO_ROOT, 'compose.yaml')).toBeTruthy();
  });
});
