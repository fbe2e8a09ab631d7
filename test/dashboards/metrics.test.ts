/**
 * Every metric and label the rules and dashboards name exists in livedrill's
 * real registry (a real SfuServer with one mediasoup worker, ViewerMetrics and
 * the self-watch metrics), and a real Prometheus started with the shipped
 * configuration scrapes that SfuServer, evaluates every rule without error,
 * answers every dashboard query, and fires alerts on a real worker restart
 * and a real viewer disconnect.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SfuServer } from '../../server/http/SfuServer.js';
import { ViewerMetrics } from '../../harness/outputs/viewerMetrics.js';
import { registerSelfMetrics } from '../../harness/outputs/selfMetrics.js';
import { SelfWatch } from '../../harness/probes/SelfWatch.js';
import { ViewerQoe } from '../../harness/probes/ViewerQoe.js';
import { registerFaultMetrics } from '../../harness/outputs/faultMetrics.js';
import { DrillMetrics } from '../../harness/drill/metrics.js';
import { promDir, startPrometheus, type LivePrometheus, type Json } from './livePrometheus.js';

/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = ['job', 'instance'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dashboardDir = path.join(root, 'dashboards/grafana/dashboards');

/* eslint-disable @typescript-eslint/no-explicit-any */

// ---------------------------------------------------------------------------
// What the rules and dashboards query

interface Query {
  where: string;
  expr: string;
  /** Labels a legend or title template names ({{label}}). */
  legendLabels: string[];
}

interface RuleDef {
  record?: string;
  alert?: string;
  expr: string;
}
const ruleFiles = readdirSync(path.join(promDir, 'rules'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => path.join(promDir, 'rules', f));
const ruleDefs: RuleDef[] = ruleFiles.flatMap((f) => (parse(readFileSync(f, 'utf8')).groups as Array<{ rules: RuleDef[] }>).flatMap((g) => g.rules));
const recorded = new Set(ruleDefs.flatMap((r) => (r.record ? [r.record] : [])));

function allPanels(panels: Json[]): Json[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}
const legendLabels = (format: string | undefined): string[] => [...(format ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]);

const dashboards = readdirSync(dashboardDir)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, json: JSON.parse(readFileSync(path.join(dashboardDir, file), 'utf8')) as Json }));

const dashboardQueries: Query[] = dashboards.flatMap(({ file, json }) => [
  ...allPanels(json.panels).flatMap((p) =>
    (p.targets ?? []).map((t: Json) => ({ where: `${file} panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr, legendLabels: legendLabels(t.legendFormat) })),
  ),
  ...json.annotations.list
    .filter((a: Json) => a.expr)
    .map((a: Json) => ({ where: `${file} annotation "${a.name}"`, expr: a.expr, legendLabels: [...legendLabels(a.titleFormat), ...legendLabels(a.textFormat), ...(a.tagKeys ? a.tagKeys.split(',') : [])] })),
  ...json.templating.list
    .filter((v: Json) => v.type === 'query')
    .map((v: Json) => ({ where: `${file} variable $${v.name}`, expr: typeof v.query === 'string' ? v.query : v.query.query, legendLabels: [] })),
]);
const ruleQueries: Query[] = ruleDefs.map((r) => ({ where: `rule ${r.record ?? r.alert}`, expr: r.expr, legendLabels: [] }));

// ---------------------------------------------------------------------------
// A small PromQL tokenizer: enough to find metric names, label matchers and grouping labels

type Token = { kind: 'ident' | 'string' | 'number' | 'range' | 'variable' | 'punct'; text: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === '\\' && c !== '`' ? 2 : 1;
      tokens.push({ kind: 'string', text: expr.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '[') {
      // range or subquery: durations and Grafana variables only
      const j = expr.indexOf(']', i);
      tokens.push({ kind: 'range', text: expr.slice(i, j + 1) });
      i = j < 0 ? expr.length : j + 1;
    } else if (c === '$') {
      const m = /^\$(\{[^}]*\}|\w+)/.exec(expr.slice(i));
      tokens.push({ kind: 'variable', text: m ? m[0] : '$' });
      i += m ? m[0].length : 1;
    } else if (/[A-Za-z_:]/.test(c)) {
      const m = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(expr.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else if (/[0-9.]/.test(c)) {
      const m = /^[0-9.]+(?:[eE][+-]?[0-9]+)?[a-zA-Z0-9]*/.exec(expr.slice(i))!;
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else {
      const two = expr.slice(i, i + 2);
      const op = ['=~', '!~', '!=', '==', '<=', '>='].includes(two) ? two : c;
      tokens.push({ kind: 'punct', text: op });
      i += op.length;
    }
  }
  return tokens;
}

const AGGREGATORS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile']);
const isMetricName = (name: string): boolean => name.startsWith('livedrill_') || name.startsWith('livedrill:');

interface Selector {
  metric: string;
  labels: string[];
  at: number;
}
interface Grouping {
  clause: string;
  labels: string[];
  /** Token range the grouping applies to. */
  from: number;
  to: number;
}
interface Analysis {
  selectors: Selector[];
  groupings: Grouping[];
  /** label_values(metric, label) of a Grafana variable query. */
  labelValues?: { metric: string; label: string };
  /** An aggregation (sum, max, ...) drops the labels it does not group by. */
  aggregates: boolean;
}

/** Index of the parenthesis matching the one at `open`, in either direction. */
function matching(tokens: Token[], open: number): number {
  const [a, b, step] = tokens[open].text === '(' ? ['(', ')', 1] : [')', '(', -1];
  let depth = 0;
  for (let i = open; i >= 0 && i < tokens.length; i += step) {
    if (tokens[i].kind !== 'punct') continue;
    if (tokens[i].text === a) depth++;
    else if (tokens[i].text === b && --depth === 0) return i;
  }
  throw new Error('unbalanced parentheses');
}

function labelList(tokens: Token[], open: number): { labels: string[]; close: number } {
  const close = matching(tokens, open);
  return { labels: tokens.slice(open + 1, close).filter((t) => t.kind === 'ident').map((t) => t.text), close };
}

function analyze(expr: string): Analysis {
  const lv = /^\s*label_values\(\s*([A-Za-z_:][\w:]*)\s*(?:\{[^}]*\})?\s*,\s*(\w+)\s*\)\s*$/.exec(expr);
  const tokens = tokenize(lv ? `${lv[1]}` : expr);
  const selectors: Selector[] = [];
  const groupings: Grouping[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    if (t.kind === 'ident' && ['by', 'without'].includes(t.text) && next?.text === '(') {
      const { labels, close } = labelList(tokens, i + 1);
      const prev = tokens[i - 1];
      let scope: [number, number];
      if (prev?.kind === 'ident' && AGGREGATORS.has(prev.text)) scope = [close + 1, matching(tokens, close + 1)]; // sum by (x) (...)
      else if (prev?.text === ')') scope = [matching(tokens, i - 1), i - 1]; // sum (...) by (x)
      else throw new Error(`cannot place "${t.text}" in ${expr}`);
      groupings.push({ clause: t.text, labels, from: scope[0], to: scope[1] });
      i = close;
    } else if (t.kind === 'ident' && ['on', 'ignoring', 'group_left', 'group_right'].includes(t.text) && next?.text === '(') {
      const { labels, close } = labelList(tokens, i + 1);
      groupings.push({ clause: t.text, labels, from: 0, to: tokens.length - 1 });
      i = close;
    } else if ((t.kind === 'ident' && next?.text !== '(') || (t.text === '{' && tokens[i - 1]?.kind !== 'ident')) {
      // a selector: name, name{matchers} or {matchers}
      let metric = t.kind === 'ident' ? t.text : '';
      const labels: string[] = [];
      let j = t.text === '{' ? i : i + 1;
      if (tokens[j]?.text === '{') {
        for (j++; j < tokens.length && tokens[j].text !== '}'; j++) {
          if (tokens[j].kind === 'ident' && ['=', '!=', '=~', '!~'].includes(tokens[j + 1]?.text)) {
            if (tokens[j].text === '__name__' && tokens[j + 1].text === '=') metric = tokens[j + 2].text;
            else labels.push(tokens[j].text);
          }
        }
        i = j;
      }
      if (isMetricName(metric)) selectors.push({ metric, labels, at: j });
    }
  }
  const aggregates = tokens.some((t, i) => t.kind === 'ident' && AGGREGATORS.has(t.text) && ['(', 'by', 'without'].includes(tokens[i + 1]?.text));
  return { selectors, groupings, labelValues: lv ? { metric: lv[1], label: lv[2] } : undefined, aggregates };
}

// ---------------------------------------------------------------------------
// What the registry exports

type Known = Map<string, { labels: Set<string> }>;

/** Series names and label names as Prometheus sees them: histograms as _bucket (with le), _sum and _count. */
async function knownSeries(registry: Registry): Promise<{ known: Known }> {
  const known: Known = new Map();
  const add = (base: string, type: string, labels: string[]): void => {
    const l = [...labels, ...TARGET_LABELS];
    if (type === 'histogram' || type === 'summary') {
      known.set(`${base}_${type === 'histogram' ? 'bucket' : 'quantile'}`, { labels: new Set([...l, type === 'histogram' ? 'le' : 'quantile']) });
      known.set(`${base}_sum`, { labels: new Set(l) });
      known.set(`${base}_count`, { labels: new Set(l) });
      if (type === 'summary') known.set(base, { labels: new Set([...l, 'quantile']) });
    } else {
      known.set(base, { labels: new Set(l) });
    }
  };
  for (const m of await registry.getMetricsAsJSON()) {
    const metric = registry.getSingleMetric(m.name) as unknown as { labelNames?: readonly string[] } | undefined;
    const seen = m.values.flatMap((v) => Object.keys(v.labels)).filter((l) => l !== 'le' && l !== 'quantile');
    add(m.name, String(m.type), [...(metric?.labelNames ?? []), ...seen]);
  }
  return { known };
}

/** Everything wrong with one query: unknown metrics, labels a metric does not have, legend labels no grouping keeps. */
function problems(q: Query, known: Known): string[] {
  const out: string[] = [];
  let a: Analysis;
  try {
    a = analyze(q.expr);
  } catch (e) {
    return [`${q.where}: ${(e as Error).message}`];
  }
  const labelsOf = (metric: string): Set<string> | undefined => known.get(metric)?.labels;
  for (const s of a.selectors) {
    if (s.metric.startsWith('livedrill:')) {
      if (!recorded.has(s.metric)) out.push(`${q.where}: ${s.metric} is not a recording rule of dashboards/prometheus/rules`);
      continue;
    }
    const labels = labelsOf(s.metric);
    if (!labels) {
      out.push(`${q.where}: unknown metric ${s.metric}`);
      continue;
    }
    for (const l of s.labels) if (!labels.has(l)) out.push(`${q.where}: ${s.metric} has no label "${l}" (it has ${[...labels].join(', ')})`);
  }
  if (a.labelValues && labelsOf(a.labelValues.metric) && !labelsOf(a.labelValues.metric)!.has(a.labelValues.label)) {
    out.push(`${q.where}: ${a.labelValues.metric} has no label "${a.labelValues.label}"`);
  }
  const raw = (from: number, to: number): Selector[] => a.selectors.filter((s) => s.at >= from && s.at <= to && known.has(s.metric));
  for (const g of a.groupings) {
    const inScope = raw(g.from, g.to);
    for (const l of g.labels) {
      if (g.clause === 'by') {
        // every metric aggregated must carry the label, or the groups silently merge
        for (const s of inScope) if (!labelsOf(s.metric)!.has(l)) out.push(`${q.where}: by (${l}) over ${s.metric}, which has no label "${l}"`);
      } else if (inScope.length > 0 && !inScope.some((s) => labelsOf(s.metric)!.has(l))) {
        out.push(`${q.where}: ${g.clause} (${l}), but no metric in the expression has label "${l}"`);
      }
    }
  }
  // a legend can only show labels the result keeps
  const available = new Set(
    a.aggregates
      ? a.groupings.filter((g) => g.clause === 'by').flatMap((g) => g.labels)
      : a.selectors.flatMap((s) => [...(labelsOf(s.metric) ?? [])]),
  );
  for (const l of q.legendLabels) if (!available.has(l)) out.push(`${q.where}: legend/title names {{${l}}}, which the query's result does not carry`);
  return out;
}

// ---------------------------------------------------------------------------

let registry: Registry;
let server: SfuServer;
let watch: SelfWatch;
let viewerMetrics: ViewerMetrics;

/** The registry as a run builds it (harness/run/Run.ts): SFU, viewer, self-watch and fault metrics. */
beforeAll(async () => {
  registry = new Registry();
  server = await SfuServer.start({ sfu: { workers: 1, listen: { ip: '127.0.0.1' } }, registry });
  viewerMetrics = new ViewerMetrics(registry);
  watch = new SelfWatch();
  watch.observer.on('sample', registerSelfMetrics(registry));
  registerFaultMetrics(registry);
  new DrillMetrics(registry);
});

afterAll(async () => {
  watch?.stop();
  await server?.close();
});

describe('the PromQL checker', () => {
  const known: Known = new Map([
    ['livedrill_viewers', { labels: new Set(['kind', 'job', 'instance']) }],
    ['livedrill_viewer_join_duration_seconds_bucket', { labels: new Set(['kind', 'le', 'job', 'instance']) }],
  ]);
  const check = (expr: string, legend: string[] = []): string[] => problems({ where: 'q', expr, legendLabels: legend }, known);

  it('accepts known metrics, labels, groupings and legends', () => {
    expect(check('sum by (kind) (livedrill_viewers{job=~"$job", kind!="x"})', ['kind'])).toEqual([]);
    expect(check('histogram_quantile(0.95, sum(rate(livedrill_viewer_join_duration_seconds_bucket[$__rate_interval])) by (le))')).toEqual([]);
    expect(check('label_values(livedrill_viewers, job)')).toEqual([]);
    expect(check('count(ALERTS{alertname=~"livedrill_x.*"}) or vector(0)')).toEqual([]);
  });

  it('rejects unknown metrics, unknown labels, bad groupings and legends', () => {
    expect(check('sum(livedrill_viewerz)')).toEqual(['q: unknown metric livedrill_viewerz']);
    expect(check('livedrill_viewer_join_duration_seconds')).toEqual(['q: unknown metric livedrill_viewer_join_duration_seconds']);
    expect(check('{__name__="livedrill_nope"}')).toEqual(['q: unknown metric livedrill_nope']);
    expect(check('livedrill_viewers{knd="browser"}')[0]).toMatch(/has no label "knd"/);
    expect(check('sum by (worker) (livedrill_viewers)')).toEqual(['q: by (worker) over livedrill_viewers, which has no label "worker"']);
    expect(check('sum(livedrill_viewers) by (media)')).toEqual(['q: by (media) over livedrill_viewers, which has no label "media"']);
    expect(check('label_values(livedrill_viewers, worker)')).toEqual(['q: livedrill_viewers has no label "worker"']);
    expect(check('sum(livedrill_viewers)', ['kind'])[0]).toMatch(/legend\/title names \{\{kind\}\}/);
    expect(check('livedrill:nope > 0')[0]).toMatch(/not a recording rule/);
  });
});

describe('metrics named by the rules and dashboards exist in the registry', () => {
  it('finds queries to check', () => {
    expect(ruleQueries.length).toBeGreaterThan(10);
    expect(dashboardQueries.length).toBeGreaterThan(40);
  });

  it('every metric and label in a rule or dashboard expression is exported', async () => {
    const { known } = await knownSeries(registry);
    const found = [...ruleQueries, ...dashboardQueries].flatMap((q) => problems(q, known));
    expect(found).toEqual([]);
  });

  it('the core viewer, SFU and drill metrics the alerts rely on are exported', async () => {
    const { known } = await knownSeries(registry);
    for (const m of ['livedrill_viewers_frozen', 'livedrill_viewers_connected', 'livedrill_viewers', 'livedrill_viewer_disconnects_total',
      'livedrill_viewer_audio_concealed_seconds_total', 'livedrill_sfu_worker_restarts_total', 'livedrill_viewer_join_duration_seconds_bucket',
      'livedrill_sfu_sent_bytes_total', 'livedrill_sfu_worker_cpu_seconds_total']) {
      expect(known.has(m), m).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------
// A real Prometheus with the shipped configuration, scraping the real SfuServer

/** Grafana's variables, as a dashboard with $job = livedrill would expand them. */
function expand(expr: string): string {
  const values: Record<string, string> = { __rate_interval: '20s', __interval: '5s', __range: '1h', job: 'livedrill' };
  return expr.replace(/\$\{(\w+)(?::[^}]*)?\}|\$(\w+)/g, (m, a, b) => values[a ?? b] ?? m);
}

describe('a real Prometheus with dashboards/prometheus/prometheus.yml', () => {
  let prometheus: LivePrometheus;
  const api = (pathAndQuery: string, form?: Record<string, string>): Promise<Json> => prometheus.api(pathAndQuery, form);
  const until = <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> => prometheus.until(what, timeoutMs, probe);

  beforeAll(async () => {
    // Viewer and harness figures, fed through the real collectors: one viewer
    // joins, plays, and loses its connection; the harness watches itself.
    const qoe = new ViewerQoe([500]);
    viewerMetrics.attach({ id: 'viewer-1', kind: 'browser', qoe });
    const t0 = Date.now();
    qoe.onJoinRequested(t0);
    qoe.onFrame(t0 + 800);
    qoe.onStats(t0 + 1000, undefined, undefined, 30);
    qoe.onDisconnected(t0 + 1500);
    watch.watch('harness', () => [process.pid], false);
    watch.start();

    // A real worker death: the SFU replaces it and counts the restart.
    const replaced = new Promise<void>((resolve) => server.sfu.observer.on('workerreplaced', () => resolve()));
    process.kill(server.sfu.workers[0].worker.pid, 'SIGKILL');
    await replaced;

    prometheus = await startPrometheus(`127.0.0.1:${server.port}`);
  });

  afterAll(async () => {
    await prometheus?.stop();
  });

  it('scrapes the SfuServer /metrics as job "livedrill"', async () => {
    await until('the livedrill target to be up', 30_000, async () => {
      const targets = (await api('/api/v1/targets')).data.activeTargets as Json[];
      const t = targets.find((x) => x.labels.job === 'livedrill');
      if (t?.health === 'down') throw new Error(`target down: ${t.lastError}`);
      return t?.health === 'up' ? t : undefined;
    });
    const r = await api('/api/v1/query', { query: 'livedrill_sfu_workers{job="livedrill"}' });
    expect(r.data.result.map((s: Json) => s.value[1])).toEqual(['1']);
  });

  it('loads every rule and evaluates each without error', async () => {
    const loaded = await until('every rule to be evaluated', 30_000, async () => {
      const groups = (await api('/api/v1/rules')).data.groups as Json[];
      const all = groups.flatMap((g) => g.rules as Json[]);
      const failing = all.filter((r) => r.health === 'err');
      if (failing.length > 0) throw new Error(failing.map((r) => `${r.name}: ${r.lastError}`).join('\n'));
      return all.length > 0 && all.every((r) => r.health === 'ok') ? all : undefined;
    });
    expect(loaded.map((r) => r.name).sort()).toEqual(ruleDefs.map((r) => r.record ?? r.alert).sort());
  });

  it('answers every dashboard query', async () => {
    const failed: string[] = [];
    for (const q of dashboardQueries) {
      const lv = /^\s*label_values\(\s*([^,]+?)\s*,\s*(\w+)\s*\)\s*$/.exec(q.expr);
      const r = lv
        ? await api(`/api/v1/label/${lv[2]}/values?${new URLSearchParams({ 'match[]': expand(lv[1]) })}`)
        : await api('/api/v1/query', { query: expand(q.expr) });
      if (r.status !== 'success') failed.push(`${q.where}: ${r.error} (${expand(q.expr)})`);
      if (r.warnings?.length) failed.push(`${q.where}: ${r.warnings.join('; ')}`);
    }
    expect(failed).toEqual([]);
    // the $job variable finds the scrape job
    const jobs = await api(`/api/v1/label/job/values?${new URLSearchParams({ 'match[]': 'livedrill_sfu_workers' })}`);
    expect(jobs.data).toContain('livedrill');
  });

  it('the overview shows the viewer, its join and its first disconnect', async () => {
    const overview = dashboards.find((d) => d.file === 'broadcast-overview.json')!.json;
    const target = (title: string, refId = 'A'): string =>
      allPanels(overview.panels).find((p) => p.title === title).targets.find((t: Json) => t.refId === refId).expr;
    const value = async (expr: string): Promise<Json[]> =>
      (await api('/api/v1/query', { query: expand(expr) })).data.result.map((s: Json) => [s.metric, Number(s.value[1])]);
    expect(await value(target('Viewers run'))).toEqual([[{}, 1]]);
    expect(await value(target('Watching'))).toEqual([[{}, 0]]);
    // Series of both viewer kinds exist from the start at 0 (so increase() sees first events).
    expect(await value(target('Disconnects and recoveries per minute', 'A'))).toEqual([
      [{ kind: 'browser' }, 1],
      [{ kind: 'synthetic' }, 0],
    ]);
    const p50 = await value(target('Join time percentiles', 'A'));
    expect(p50).toHaveLength(1);
    expect(p50[0][1]).toBeGreaterThan(0.5); // 0.8 s, interpolated in the (0.5, 1] bucket
    expect(p50[0][1]).toBeLessThanOrEqual(1);
  });

  it('fires LivedrillSfuWorkerRestarted and LivedrillViewerMassDisconnect on the first restart and disconnect', async () => {
    // Both counters were created by these first events, so Prometheus never saw them at 0.
    const firing = await until('the alerts to fire', 45_000, async () => {
      const alerts = ((await api('/api/v1/alerts')).data.alerts as Json[]).filter((a) => a.state === 'firing');
      const names = new Set(alerts.map((a) => a.labels.alertname));
      return names.has('LivedrillSfuWorkerRestarted') && names.has('LivedrillViewerMassDisconnect') ? alerts : undefined;
    });
    const restart = firing.find((a) => a.labels.alertname === 'LivedrillSfuWorkerRestarted');
    expect(restart.labels).toMatchObject({ job: 'livedrill', worker: '0', severity: 'warning' });
    expect(restart.annotations.summary).toBe(`SFU worker 0 on 127.0.0.1:${server.port} died and was replaced`);
    const disconnect = firing.find((a) => a.labels.alertname === 'LivedrillViewerMassDisconnect');
    expect(disconnect.labels).toMatchObject({ job: 'livedrill', severity: 'critical' });
    expect(disconnect.annotations.summary).toBe('100% of viewers lost their connection in the last minute (livedrill)');
  });
});
