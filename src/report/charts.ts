// Charts for report.html: vega-lite specs built from a Summary, rendered to SVG strings at report time (no script
// in the page). Every user string (class labels) travels only as a data VALUE, never as a field name or inside an
// expression; vega escapes values when it writes SVG. Each chart names the layer that draws one mark per data point
// (`pointsLayer`): vega puts those marks in `<g class="… ${pointsLayer}_marks">`, so a test can count them.
// vega and vega-lite are loaded on first render (renderSvg): a run that writes no HTML never pays their ~34 MB and
// ~0.3 s of start-up.
import type * as Vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../summary/types.js';
import { parsePercentileDistribution, percentileDistribution, type PercentilePoint } from './hgrm.js';
import { FAILURE_KINDS } from './format.js';

type ChartId = 'rate' | 'latency' | 'spectrum' | 'accuracy' | 'confusion' | 'errors';

interface ChartDef {
  id: ChartId;
  title: string;
  /** How to read the chart (plain text). */
  caption: string;
  /** Absent when the Summary has no data for this chart; `note` says why. */
  spec?: TopLevelSpec;
  note?: string;
  /** vega mark name of the layer with one mark per data point; SVG group class `${pointsLayer}_marks`. */
  pointsLayer: string;
  /** Marks in that layer. */
  points: number;
}

export interface RenderedChart extends ChartDef {
  /** Inline SVG, root tagged with id="chart-${id}-svg" and data-chart="${id}". */
  svg?: string;
  /** vega(-lite) warnings while rendering (none expected; kept out of the console). */
  warnings: string[];
}

const WIDTH = 860;
const HEIGHT = 220;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';
const BLUE = '#3b6fb6';
const ORANGE = '#e07b00';
const GREY = '#8a8f98';

// aria:false keeps the SVG small (one aria-label per mark otherwise); the page's <figure> carries the description.
const CONFIG = {
  font: FONT,
  aria: false,
  view: { stroke: '#e3e6ea' },
  axis: { labelColor: '#333', titleColor: '#333', gridColor: '#eef0f3', domainColor: '#9aa0a8', tickColor: '#9aa0a8', labelLimit: 140 },
  legend: { labelLimit: 160, orient: 'top' },
} as const;

const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG, background: 'white' } as const;
const secondsAxis = { title: 'seconds since start', tickMinStep: 1, format: 'd' } as const;

type Layers = NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']>;

/** Named series over the run's seconds (`t`), one colour per `series` value: the rate and latency charts. */
function perSecondSeries(values: object[], y: { field: string; title: string }, series: { domain: string[]; range: string[] }, layer: Layers): TopLevelSpec {
  return {
    ...base,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    encoding: {
      x: { field: 't', type: 'quantitative', axis: secondsAxis },
      y: { field: y.field, type: 'quantitative', title: y.title },
      color: { field: 'series', type: 'nominal', title: null, scale: series },
    },
    layer,
  };
}

function rateChart(s: Summary): ChartDef {
  const def = { id: 'rate', title: 'Planned vs achieved rate', pointsLayer: 'rate_points' } as const;
  const caption = "Requests sent per second (points) against the load plan's rate (dashed); gaps in the plan are closed-loop phases.";
  if (s.timeline.length === 0) return { ...def, caption, points: 0, note: 'No per-second timeline was recorded for this run.' };
  const values = s.timeline.flatMap((p) => [
    { t: p.t, series: 'planned', rps: p.plannedRps > 0 ? p.plannedRps : null },
    { t: p.t, series: 'achieved (sent)', rps: p.sent },
  ]);
  const spec = perSecondSeries(values, { field: 'rps', title: 'requests / s' }, { domain: ['planned', 'achieved (sent)'], range: [GREY, BLUE] }, [
    {
      name: 'rate_planned',
      transform: [{ filter: { field: 'series', equal: 'planned' } }],
      mark: { type: 'line', invalid: 'break-paths-filter-domains', interpolate: 'step-after', strokeDash: [6, 3], strokeWidth: 3, opacity: 0.8 },
    },
    {
      name: 'rate_achieved',
      transform: [{ filter: { field: 'series', equal: 'achieved (sent)' } }],
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
    },
    {
      name: 'rate_points',
      transform: [{ filter: { field: 'series', equal: 'achieved (sent)' } }],
      mark: { type: 'point', filled: true, size: 18 },
    },
  ]);
  return { ...def, caption, spec, points: s.timeline.length };
}

function latencyChart(s: Summary): ChartDef {
  const def = { id: 'latency', title: 'Latency p50 and p99 over time', pointsLayer: 'latency_points' } as const;
  const caption = 'Per-second latency percentiles of successful requests (from the intended send time, so queueing is included); seconds without a successful response are left out.';
  const seconds = s.timeline.filter((p) => p.p99Ms > 0);
  if (seconds.length === 0) return { ...def, caption, points: 0, note: 'No per-second latency was recorded for this run.' };
  const values = seconds.flatMap((p) => [
    { t: p.t, series: 'p50', ms: p.p50Ms },
    { t: p.t, series: 'p99', ms: p.p99Ms },
  ]);
  const spec = perSecondSeries(values, { field: 'ms', title: 'latency (ms)' }, { domain: ['p50', 'p99'], range: [BLUE, ORANGE] }, [
    { name: 'latency_lines', mark: { type: 'line' } },
    { name: 'latency_points', mark: { type: 'point', filled: true, size: 14 } },
  ]);
  return { ...def, caption, spec, points: values.length };
}

/** 1/(1−p) tick positions and their percentile labels, like HdrHistogram's plotter. */
const SPECTRUM_TICKS: ReadonlyArray<readonly [number, string]> = [
  [1, '0%'], [2, '50%'], [10, '90%'], [100, '99%'], [1e3, '99.9%'], [1e4, '99.99%'], [1e5, '99.999%'], [1e6, '99.9999%'], [1e7, '99.99999%'],
];

/** Spectrum rows of the run's latency histogram (the finite rows of latency.hgrm). */
function spectrumPoints(s: Summary): PercentilePoint[] {
  return parsePercentileDistribution(percentileDistribution(s.totals.latencyHistogram, 'totals.latencyHistogram')).filter((r) =>
    Number.isFinite(r.inverse),
  );
}

function spectrumChart(s: Summary): ChartDef {
  const def = { id: 'spectrum', title: 'Latency by percentile', pointsLayer: 'spectrum_points' } as const;
  const caption = 'Latency of successful requests at each percentile of the whole run (warm-up excluded), on HdrHistogram\'s log-scaled 1/(1−p) axis; the same data as latency.hgrm.';
  let rows: PercentilePoint[];
  try {
    rows = spectrumPoints(s);
  } catch {
    return { ...def, caption, points: 0, note: 'The latency histogram in this report could not be decoded.' };
  }
  if (rows.length === 0 || s.totals.latencyMs.count === 0) return { ...def, caption, points: 0, note: 'No latency values were recorded.' };
  const maxInverse = rows[rows.length - 1]!.inverse;
  const decade = 10 ** Math.ceil(Math.log10(Math.max(10, maxInverse)));
  const ticks = SPECTRUM_TICKS.filter(([v]) => v <= decade);
  const labelExpr = ticks.map(([v, label]) => `datum.value == ${v} ? '${label}' : `).join('') + "''";
  const spec: TopLevelSpec = {
    ...base,
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows.map((r) => ({ inverse: r.inverse, ms: r.valueMs, percentile: r.percentile })) },
    encoding: {
      x: {
        field: 'inverse',
        type: 'quantitative',
        title: 'percentile',
        scale: { type: 'log', domain: [1, ticks[ticks.length - 1]![0]] },
        axis: { values: ticks.map(([v]) => v), labelExpr, grid: true },
      },
      y: { field: 'ms', type: 'quantitative', title: 'latency (ms)' },
    },
    layer: [
      { name: 'spectrum_line', mark: { type: 'line', color: BLUE, interpolate: 'step-after' } },
      { name: 'spectrum_points', mark: { type: 'point', filled: true, size: 12, color: BLUE } },
    ],
  };
  return { ...def, caption, spec, points: rows.length };
}

function accuracyChart(s: Summary): ChartDef {
  const def = { id: 'accuracy', title: 'Accuracy per window', pointsLayer: 'accuracy_bars' } as const;
  const caption = 'Accuracy of each window with its 95% Wilson interval; orange windows are flagged as drifted; the dashed line is the whole-run accuracy.';
  const windows = s.windows.filter((w) => w.accuracy != null && Number.isFinite(w.accuracy));
  if (windows.length === 0) return { ...def, caption, points: 0, note: 'No window has an accuracy (no labels, or a regression target).' };
  const values = windows.map((w) => ({
    window: w.index,
    x0: w.index - 0.4,
    x1: w.index + 0.4,
    accuracy: w.accuracy!,
    lo: w.accuracyCi?.[0] ?? null,
    hi: w.accuracyCi?.[1] ?? null,
    state: w.drifted ? 'drifted' : 'not flagged',
  }));
  const layer: Layers = [
    {
      name: 'accuracy_bars',
      mark: { type: 'bar' },
      encoding: {
        x: {
          field: 'x0',
          type: 'quantitative',
          title: 'window',
          axis: { tickMinStep: 1, format: 'd' },
          scale: { domain: [values[0]!.window - 0.6, values[values.length - 1]!.window + 0.6], nice: false },
        },
        x2: { field: 'x1' },
        y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] } },
        y2: { datum: 0 },
        color: { field: 'state', type: 'nominal', title: null, scale: { domain: ['not flagged', 'drifted'], range: [BLUE, ORANGE] } },
      },
    },
    {
      name: 'accuracy_ci',
      transform: [{ filter: { field: 'lo', valid: true } }],
      mark: { type: 'rule', color: '#222', strokeWidth: 1.5 },
      encoding: { x: { field: 'window', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
    },
  ];
  const overall = s.totals.classification?.accuracy ?? s.totals.accuracy;
  if (overall != null && Number.isFinite(overall)) {
    layer.push({ name: 'accuracy_overall', mark: { type: 'rule', color: GREY, strokeDash: [6, 4] }, encoding: { y: { datum: overall, type: 'quantitative' } } });
  }
  const spec: TopLevelSpec = { ...base, width: WIDTH, height: HEIGHT, data: { values }, layer };
  return { ...def, caption, spec, points: values.length };
}

function confusionChart(s: Summary): ChartDef {
  const def = { id: 'confusion', title: 'Confusion matrix', pointsLayer: 'confusion_cells' } as const;
  const caption = 'Rows are true classes, columns predicted classes; each cell shows its count, shaded by the share of its row (recall on the diagonal).';
  const c = s.totals.classification;
  if (!c || c.labels.length === 0 || c.confusion.length === 0) return { ...def, caption, points: 0, note: 'No confusion matrix: the run has no classification labels.' };
  const values = c.labels.flatMap((trueLabel, i) => {
    const row = c.confusion[i] ?? [];
    const rowTotal = row.reduce((a, b) => a + b, 0);
    return c.labels.map((predLabel, j) => {
      const n = row[j] ?? 0;
      return { actual: trueLabel, predicted: predLabel, n, share: rowTotal > 0 ? n / rowTotal : 0 };
    });
  });
  const step = Math.max(18, Math.min(72, Math.floor(480 / c.labels.length)));
  const spec: TopLevelSpec = {
    ...base,
    width: { step },
    height: { step },
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'nominal', title: 'predicted', sort: c.labels, axis: { labelAngle: 0 } },
      y: { field: 'actual', type: 'nominal', title: 'true', sort: c.labels },
    },
    layer: [
      {
        name: 'confusion_cells',
        mark: { type: 'rect', stroke: 'white' },
        encoding: { color: { field: 'share', type: 'quantitative', legend: null, scale: { scheme: 'blues', domain: [0, 1] } } },
      },
      {
        name: 'confusion_counts',
        mark: { type: 'text', fontSize: step < 30 ? 8 : 12 },
        encoding: {
          text: { field: 'n', type: 'quantitative', format: ',d' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#111' },
        },
      },
    ],
  };
  return { ...def, caption, spec, points: values.length };
}

function errorsChart(s: Summary): ChartDef {
  const def = { id: 'errors', title: 'Errors over time by kind', pointsLayer: 'errors_bars' } as const;
  const caption = 'Failed and dropped requests per second, stacked by kind.';
  if (s.timeline.length === 0) return { ...def, caption, points: 0, note: 'No per-second timeline was recorded for this run.' };
  const values = s.timeline.flatMap((p) =>
    FAILURE_KINDS.filter(([k]) => p[k] > 0).map(([k, name]) => ({ t: p.t, t1: p.t + 1, kind: name, n: p[k] })),
  );
  if (values.length === 0) return { ...def, caption, points: 0, note: 'No failed or dropped requests during the run.' };
  const kinds = FAILURE_KINDS.map(([, name]) => name);
  const spec: TopLevelSpec = {
    ...base,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: [
      {
        name: 'errors_bars',
        mark: { type: 'bar' },
        encoding: {
          x: { field: 't', type: 'quantitative', bin: { binned: true, step: 1 }, axis: secondsAxis, scale: { domain: [s.timeline[0]!.t, s.timeline[s.timeline.length - 1]!.t + 1] } },
          x2: { field: 't1' },
          y: { field: 'n', type: 'quantitative', title: 'requests / s', stack: 'zero' },
          color: { field: 'kind', type: 'nominal', title: null, scale: { domain: kinds, range: ['#d62728', '#e07b00', '#9467bd', '#8c564b', GREY] } },
        },
      },
    ],
  };
  return { ...def, caption, spec, points: values.length };
}

/** Every chart of the HTML report, in page order (specs only; no rendering). */
export function chartDefs(summary: Summary): ChartDef[] {
  return [rateChart, latencyChart, spectrumChart, accuracyChart, confusionChart, errorsChart].map((f) => f(summary));
}

/** A vega logger that keeps warnings instead of printing them: a report must not write to the console. */
function collectingLogger(vega: typeof Vega, into: string[]): Vega.LoggerInterface {
  let level = vega.Warn;
  const push = (kind: string) => (...args: unknown[]) => (into.push(`${kind}: ${args.map(String).join(' ')}`), logger);
  const logger: Vega.LoggerInterface = {
    level: (l?: number) => (l === undefined ? level : ((level = l), logger)),
    error: push('error'),
    warn: push('warn'),
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/** Render one vega-lite spec to an SVG string, headless; vega(-lite) warnings are appended to `warnings`. */
let libs: Promise<[typeof Vega, typeof import('vega-lite')]> | undefined;

export async function renderSvg(spec: TopLevelSpec, warnings: string[] = []): Promise<string> {
  const [vega, { compile }] = await (libs ??= Promise.all([import('vega'), import('vega-lite')]));
  const logger = collectingLogger(vega, warnings);
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none', logger });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * vega writes coordinates like 149.99999999999997; two decimals are sub-pixel and keep an hour-long run's page a
 * few MB smaller. Only geometry attributes are touched, never text (a class label may be "3.14159").
 */
function trimCoordinates(svg: string): string {
  return svg.replace(/\s(d|transform|x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g, (_, name: string, value: string) =>
    ` ${name}="${value.replace(/\d+\.\d{3,}/g, (n) => String(Number(Number(n).toFixed(2))))}"`,
  );
}

export async function renderCharts(summary: Summary): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const def of chartDefs(summary)) {
    const warnings: string[] = [];
    if (!def.spec) {
      out.push({ ...def, warnings });
      continue;
    }
    const svg = trimCoordinates(await renderSvg(def.spec, warnings));
    out.push({ ...def, warnings, svg: svg.replace(/^<svg /, `<svg id="chart-${def.id}-svg" data-chart="${def.id}" role="img" aria-label="${def.title}" `) });
  }
  return out;
}
