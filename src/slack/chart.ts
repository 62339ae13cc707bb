import QuickChartModule from 'quickchart-js';

// quickchart-js ships CommonJS-style typings beside a real ESM build: the runtime default export is
// the class, while the types see it under `.default`. Take whichever is there.
type QuickChartClass = typeof QuickChartModule.default;
type QuickChart = InstanceType<QuickChartClass>;
const QuickChart: QuickChartClass = (QuickChartModule as unknown as { default?: QuickChartClass }).default ?? (QuickChartModule as unknown as QuickChartClass);
import { add, formatMoney, toChartNumber, ZERO, type Money } from '../domain/money.ts';

/**
 * Daily spend charts as QuickChart image URLs.
 *
 * Why a URL and not an uploaded PNG: `/aicost` answers are ephemeral, and a file upload is visible to
 * the whole channel. The URL carries the chart config, so it must stay under Slack's 3000-character
 * `image_url` limit: long periods are drawn by week, and if even that is too long the chart is left out
 * rather than risk `invalid_blocks`. Note the URL holds the daily totals: point QUICKCHART_URL at a
 * self-hosted QuickChart to keep them in-house.
 */
export const IMAGE_URL_LIMIT = 3000;

function chart(baseUrl: string): QuickChart {
  const url = new URL(baseUrl);
  const qc = new QuickChart();
  qc.setScheme(url.protocol.replace(':', ''));
  qc.setHost(url.host + url.pathname.replace(/\/+$/, ''));
  return qc;
}

/** Rounded to cents: more precision only lengthens the URL. */
const chartValue = (m: Money) => Math.round(toChartNumber(m) * 100) / 100;

/**
 * Value axes start at zero and their ticks are dollars (a bar's length is then its amount), and the
 * title says what is plotted. The tick callback is a function, so the config is Chart.js source text
 * (QuickChart evaluates it), not JSON: `chartConfig` puts it in.
 */
const DOLLAR_TICKS = '__DOLLAR_TICKS__';
const DOLLAR_CALLBACK = "function(v){return '$'+Number(v).toLocaleString('en-US')}";

export function valueAxis(stacked = false): Record<string, unknown> {
  return {
    ...(stacked ? { stacked: true } : {}),
    ticks: { beginAtZero: true, min: 0, callback: DOLLAR_TICKS },
    scaleLabel: { display: true, labelString: 'USD' },
  };
}

/** The Chart.js config text of a chart description (see `valueAxis`). */
export function chartConfig(config: Record<string, unknown>): string {
  return JSON.stringify(config).replaceAll(JSON.stringify(DOLLAR_TICKS), () => DOLLAR_CALLBACK);
}

function barUrl(baseUrl: string, labels: string[], values: number[], title: string, highlight: number | readonly boolean[] = -1): string {
  const qc = chart(baseUrl);
  qc.setWidth(600).setHeight(260).setBackgroundColor('white');
  const marked = (i: number) => (typeof highlight === 'number' ? i === highlight : highlight[i] === true);
  const color = values.some((_, i) => marked(i)) ? values.map((_, i) => (marked(i) ? '#dc2626' : '#4f46e5')) : '#4f46e5';
  qc.setConfig(
    chartConfig({
      type: 'bar',
      data: { labels, datasets: [{ label: 'USD', data: values, backgroundColor: color }] },
      options: { legend: { display: false }, title: { display: true, text: title }, scales: { yAxes: [valueAxis()] } },
    }),
  );
  return qc.getUrl();
}

export function dailyChartUrl(baseUrl: string, daily: { day: string; amount: Money }[], title: string, highlightDay?: string): string | null {
  if (daily.length === 0) return null;
  const highlight = highlightDay ? daily.findIndex((d) => d.day === highlightDay) : -1;
  const byDay = barUrl(
    baseUrl,
    daily.map((d) => d.day.slice(5)),
    daily.map((d) => chartValue(d.amount)),
    title,
    highlight,
  );
  if (byDay.length <= IMAGE_URL_LIMIT) return byDay;
  const weeks: { label: string; amount: Money }[] = [];
  daily.forEach((d, i) => {
    if (i % 7 === 0) weeks.push({ label: `wk ${d.day.slice(5)}`, amount: ZERO });
    weeks[weeks.length - 1]!.amount = add(weeks[weeks.length - 1]!.amount, d.amount);
  });
  const byWeek = barUrl(
    baseUrl,
    weeks.map((w) => w.label),
    weeks.map((w) => chartValue(w.amount)),
    `${title} (weekly)`,
  );
  return byWeek.length <= IMAGE_URL_LIMIT ? byWeek : null;
}

/** Hourly spend (a burst's last day and a half), the marked hours in red; null when the URL would be too long. */
export function hourlyChartUrl(baseUrl: string, hours: readonly { label: string; amount: Money; marked: boolean }[], title: string): string | null {
  if (hours.length === 0) return null;
  const url = barUrl(
    baseUrl,
    hours.map((h) => h.label),
    hours.map((h) => chartValue(h.amount)),
    title,
    hours.map((h) => h.marked),
  );
  return url.length <= IMAGE_URL_LIMIT ? url : null;
}

/**
 * The iceberg as a donut of the true cost: one slice per part (API spend, each hidden cost, shared),
 * each labelled with its amount, the title stating the true cost. A donut has no value axis to
 * truncate, and a slice's area is its share of the whole. Parts of zero are left out; a negative part
 * (a credit) cannot be a slice, so then there is no chart (the table says it all).
 */
export function splitChartUrl(baseUrl: string, labels: string[], values: Money[], title: string): string | null {
  const parts = labels.map((l, i) => ({ label: l, value: values[i] ?? ZERO })).filter((p) => p.value !== 0n);
  if (parts.length === 0 || parts.some((p) => p.value < 0n)) return null;
  const qc = chart(baseUrl);
  qc.setWidth(600).setHeight(300).setBackgroundColor('white');
  qc.setConfig(
    chartConfig({
      type: 'doughnut',
      data: {
        labels: parts.map((p) => `${p.label.slice(0, 24)} ${formatMoney(p.value)}`),
        datasets: [{ data: parts.map((p) => chartValue(p.value)), backgroundColor: parts.map((_, i) => PALETTE[i % PALETTE.length]) }],
      },
      options: { title: { display: true, text: title }, legend: { position: 'right' } },
    }),
  );
  const url = qc.getUrl();
  return url.length <= IMAGE_URL_LIMIT ? url : null;
}

const PALETTE = ['#4f46e5', '#0ea5e9', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#14b8a6', '#f97316', '#64748b', '#84cc16'];

/** Each team's cost stacked by category (the chargeback chart). */
export function stackedChartUrl(baseUrl: string, labels: string[], series: { label: string; values: Money[] }[], title: string): string | null {
  if (labels.length === 0 || series.length === 0) return null;
  const qc = chart(baseUrl);
  qc.setWidth(700).setHeight(320).setBackgroundColor('white');
  qc.setConfig(
    chartConfig({
      type: 'bar',
      data: { labels, datasets: series.map((s, i) => ({ label: s.label, data: s.values.map(chartValue), backgroundColor: PALETTE[i % PALETTE.length] })) },
      options: { title: { display: true, text: title }, scales: { xAxes: [{ stacked: true }], yAxes: [valueAxis(true)] } },
    }),
  );
  const url = qc.getUrl();
  return url.length <= IMAGE_URL_LIMIT ? url : null;
}
