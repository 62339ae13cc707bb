import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { teamsRepository } from '../src/db/repositories/teams.ts';

/**
 * `aicost import focus` on a generated FOCUS 1.2 file of BENCH_FOCUS_ROWS rows (default 1,000,000; a
 * tenth tagged with a team, a tenth spanning two days, NULL literals in nullable columns) into a fresh
 * SQLite database. Each figure is measured in its own child process (bench/focus-import-child.ts), so
 * the peak RSS is that process's own: the import (rows/s, MB), against the baseline of merely reading
 * the same file with csv-parse in the same run.
 */
const ROWS = Number(process.env.BENCH_FOCUS_ROWS ?? 1_000_000);
const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'aicost-focus-bench-'));
const file = join(dir, 'focus.csv');
const url = `file:${join(dir, 'bench.db')}`;

const HEADER = [
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'ContractedCost',
  'EffectiveCost',
  'InvoiceId',
  'InvoiceIssuerName',
  'ListCost',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'RegionId',
  'ResourceId',
  'ServiceCategory',
  'ServiceName',
  'SkuId',
  'SubAccountId',
  'Tags',
];
const SERVICES = [
  ['Amazon EC2', 'Compute'],
  ['Amazon S3', 'Storage'],
  ['Amazon Bedrock', 'AI and Machine Learning'],
  ['Amazon RDS', 'Databases'],
];
async function generate() {
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`${HEADER.join(',')}\n`);
  const base = Date.parse('2026-10-01T00:00:00Z');
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    const dayIndex = i % 30;
    const start = new Date(base + dayIndex * 86_400_000).toISOString().replace('.000Z', 'Z');
    const end = new Date(base + (dayIndex + (i % 10 === 3 ? 2 : 1)) * 86_400_000).toISOString().replace('.000Z', 'Z');
    const [service, category] = SERVICES[i % SERVICES.length]!;
    const cost = `${((i % 997) / 100 + 0.01).toFixed(2)}${i % 7 === 0 ? '1234567' : ''}`;
    const tags = i % 10 === 0 ? `"{""team"":""${i % 20 === 0 ? 'support' : 'search'}"",""env"":""prod""}"` : i % 10 === 1 ? '"{}"' : 'NULL';
    chunk += `${cost},111122223333,Example,USD,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,Usage,NULL,${service} usage,Usage-Based,${end},${start},${cost},${cost},inv-2026-10,AWS,${cost},1.0,Hours,AWS,AWS,us-east-1,r-${i},${category},${service},sku-${i % 50},NULL,${tags}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((r) => out.end(() => r()));
}

await generate();
const fileMb = Math.round(statSync(file).size / 2 ** 20);
await migrate(url);
const db = openDatabase(url);
const teams = teamsRepository(db);
await teams.upsert({ slug: 'support', name: 'Support' });
await teams.upsert({ slug: 'search', name: 'Search' });
await db.close();

const child = (mode: string) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'focus-import-child.ts'), mode, file], {
    env: { ...process.env, DATABASE_URL: url, REPORT_TIMEZONE: 'UTC' },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 && mode === 'parse') throw new Error(`${mode} exited with ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return { ...(JSON.parse(last) as { ms: number; cpuMs: number; rows: number; code: number; maxRssMb: number }), stderr: r.stderr };
};
let parsed: ReturnType<typeof child>;
let imported: ReturnType<typeof child>;
let charges: number;
try {
  parsed = child('parse');
  imported = child('import');
  if (imported.code !== 0) throw new Error(`the import refused the generated file (exit ${imported.code}): ${imported.stderr.slice(0, 2000)}`);
  const stored = openDatabase(url);
  charges = await stored.prisma.importedCharge.count();
  await stored.close();
} finally {
  // the generated file and database are hundreds of MB: never left behind, even when a step fails
  if (process.env.BENCH_FOCUS_KEEP) console.error(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
const common = { rows: ROWS, fileMb, charges };
console.log(
  JSON.stringify({
    bench: 'focus-import.rows_per_s',
    value: Math.round(ROWS / (imported.ms / 1000)),
    unit: 'rows/s',
    ...common,
    seconds: Math.round(imported.ms / 100) / 10,
    // on a shared machine wall time is mostly waiting for a core: rows per CPU second too
    rowsPerCpuSecond: Math.round(ROWS / (imported.cpuMs / 1000)),
    baseline: Math.round(ROWS / (parsed.ms / 1000)),
    baselineRowsPerCpuSecond: Math.round(ROWS / (parsed.cpuMs / 1000)),
    baselineLabel: 'reading the same file with csv-parse only, in its own process',
  }),
);
console.log(
  JSON.stringify({
    bench: 'focus-import.peak_rss',
    value: Math.round(imported.maxRssMb),
    unit: 'MB',
    ...common,
    baseline: Math.round(parsed.maxRssMb),
    baselineLabel: 'peak RSS of reading the same file with csv-parse only',
  }),
);
