/**
 * The Grafana side of dashboards/: provisioning files and dashboard JSON that
 * Grafana (schemaVersion 39) loads as they are. Grafana itself is not run
 * here; the structure it needs is checked, and every panel queries the
 * provisioned Prometheus datasource through the dashboards' `datasource`
 * variable. (metrics.test.ts checks the queries themselves.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const grafanaDir = path.join(root, 'dashboards/grafana');
const dashboardDir = path.join(grafanaDir, 'dashboards');
const DS_VAR = '${datasource}';
const BUILTIN_VARS = new Set(['__interval', '__interval_ms', '__rate_interval', '__range', '__range_s', '__range_ms']);

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

const datasources = parse(readFileSync(path.join(grafanaDir, 'provisioning/datasources/livedrill.yml'), 'utf8'));
const providers = parse(readFileSync(path.join(grafanaDir, 'provisioning/dashboards/livedrill.yml'), 'utf8'));
const files = readdirSync(dashboardDir).filter((f) => f.endsWith('.json'));
const dashboards: Array<{ file: string; json: Json }> = files.map((file) => ({
  file,
  json: JSON.parse(readFileSync(path.join(dashboardDir, file), 'utf8')),
}));
const provisioned = datasources.datasources[0];

function allPanels(panels: Json[]): Json[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Variables a string refers to: $name, ${name}, ${name:format}, [[name]]. */
function variablesIn(text: string): string[] {
  return [...text.matchAll(/\$(?:\{(\w+)(?::[^}]*)?\}|(\w+))|\[\[(\w+)\]\]/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

describe('Grafana provisioning', () => {
  it('provisions one Prometheus datasource with a fixed uid', () => {
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources).toHaveLength(1);
    expect(provisioned).toMatchObject({ type: 'prometheus', access: 'proxy', uid: 'livedrill-prometheus' });
    expect(provisioned.url).toMatch(/^https?:\/\//);
    expect(provisioned.jsonData.timeInterval).toBe('5s');
  });

  it('provisions the dashboards directory through a file provider', () => {
    expect(providers.apiVersion).toBe(1);
    expect(providers.providers).toHaveLength(1);
    expect(providers.providers[0]).toMatchObject({ type: 'file', folder: 'livedrill' });
    expect(providers.providers[0].options.path).toMatch(/^\//);
  });
});

describe('Grafana dashboards', () => {
  it('ships the broadcast overview, SFU and drill dashboards with distinct uids and titles', () => {
    expect(files.sort()).toEqual(['broadcast-overview.json', 'drill.json', 'sfu.json']);
    const uids = dashboards.map((d) => d.json.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(dashboards.map((d) => d.json.title)).size).toBe(uids.length);
  });

  for (const { file, json: d } of dashboards) {
    describe(file, () => {
      it('has the keys of a schemaVersion 39 dashboard', () => {
        for (const key of ['uid', 'title', 'schemaVersion', 'panels', 'templating', 'annotations', 'time', 'tags', 'editable']) {
          expect(d, key).toHaveProperty(key);
        }
        expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
        expect(d.schemaVersion).toBeLessThanOrEqual(41);
        expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
        // A provisioned dashboard must not carry a database id.
        expect(d.id ?? null).toBeNull();
        expect(d.tags).toContain('livedrill');
        expect(Array.isArray(d.templating.list)).toBe(true);
        expect(Array.isArray(d.annotations.list)).toBe(true);
        expect(d.time).toMatchObject({ from: expect.any(String), to: expect.any(String) });
      });

      it('selects its datasource with a `datasource` variable defaulting to the provisioned uid', () => {
        const v = d.templating.list.find((t: Json) => t.name === 'datasource');
        expect(v).toMatchObject({ type: 'datasource', query: 'prometheus' });
        expect(v.current.value).toBe(provisioned.uid);
        expect(v.current.text).toBe(provisioned.name);
      });

      it('has unique panel ids, a gridPos for every panel and no overlapping panels', () => {
        const panels = allPanels(d.panels);
        expect(panels.length).toBeGreaterThan(5);
        const ids = panels.map((p) => p.id);
        expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
        expect(new Set(ids).size).toBe(ids.length);
        const boxes: Array<{ id: number; x: number; y: number; w: number; h: number }> = [];
        for (const p of panels) {
          expect(typeof p.type, `panel ${p.id} type`).toBe('string');
          expect(p.title, `panel ${p.id} title`).toBeTruthy();
          const g = p.gridPos;
          expect(g, `panel ${p.id} "${p.title}" gridPos`).toMatchObject({ x: expect.any(Number), y: expect.any(Number), w: expect.any(Number), h: expect.any(Number) });
          expect(g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.y >= 0 && g.h > 0, `panel ${p.id} "${p.title}" inside the 24-column grid`).toBe(true);
          boxes.push({ id: p.id, ...g });
        }
        const overlaps = boxes.flatMap((a, i) =>
          boxes.slice(i + 1).filter((b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h).map((b) => `${a.id}/${b.id}`),
        );
        expect(overlaps).toEqual([]);
      });

      it('every query panel queries Prometheus through ${datasource}, and every target has expr and a unique refId', () => {
        for (const p of allPanels(d.panels).filter((p) => p.type !== 'row')) {
          const where = `panel ${p.id} "${p.title}"`;
          expect(p.datasource, where).toEqual({ type: 'prometheus', uid: DS_VAR });
          expect(Array.isArray(p.targets) && p.targets.length > 0, `${where} has targets`).toBe(true);
          const refIds = p.targets.map((t: Json) => t.refId);
          expect(new Set(refIds).size, `${where} refIds unique`).toBe(refIds.length);
          for (const t of p.targets) {
            expect(t.refId, `${where} refId`).toMatch(/^[A-Z]$/);
            expect(typeof t.expr === 'string' && t.expr.trim().length > 0, `${where} ${t.refId} expr`).toBe(true);
            expect(t.datasource, `${where} ${t.refId} datasource`).toEqual({ type: 'prometheus', uid: DS_VAR });
          }
        }
      });

      it('annotations and query variables use ${datasource} too (or are Grafana built-ins)', () => {
        for (const a of d.annotations.list) {
          if (a.builtIn === 1) {
            expect(a.datasource).toEqual({ type: 'grafana', uid: '-- Grafana --' });
            continue;
          }
          expect(a.datasource, `annotation ${a.name}`).toEqual({ type: 'prometheus', uid: DS_VAR });
          expect(a.expr, `annotation ${a.name}`).toBeTruthy();
        }
        for (const v of d.templating.list.filter((t: Json) => t.type === 'query')) {
          expect(v.datasource, `variable ${v.name}`).toEqual({ type: 'prometheus', uid: DS_VAR });
        }
      });

      it('queries only use variables the dashboard defines', () => {
        const defined = new Set(d.templating.list.map((t: Json) => t.name));
        const texts = [
          ...allPanels(d.panels).flatMap((p) => (p.targets ?? []).map((t: Json) => t.expr as string)),
          ...d.annotations.list.filter((a: Json) => a.expr).map((a: Json) => a.expr as string),
        ];
        const unknown = texts.flatMap((t) => variablesIn(t).filter((v) => !defined.has(v) && !BUILTIN_VARS.has(v)).map((v) => `$${v} in ${t}`));
        expect(unknown).toEqual([]);
      });

      it('links to the other livedrill dashboards', () => {
        expect(d.links).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'dashboards', tags: ['livedrill'] })]));
      });
    });
  }

  it('the drill dashboard shows the drill alerts as annotations and a state timeline, and no fault metric (a drill hides its faults)', () => {
    const drill = dashboards.find((d) => d.file === 'drill.json')!.json;
    expect(drill.annotations.list.some((a: Json) => /livedrill_drill_alerts_total/.test(a.expr ?? ''))).toBe(true);
    const timeline = allPanels(drill.panels).find((p) => p.type === 'state-timeline' && p.targets.some((t: Json) => /livedrill_drill_alerts_total/.test(t.expr)));
    expect(timeline).toBeDefined();
    expect(JSON.stringify(drill)).not.toMatch(/livedrill_fault/);
  });
});
