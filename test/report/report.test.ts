/**
 * The evidence pack of a real broadcast (real SFU, real Chromium publisher
 * and viewers, one real video-freeze fault), with a drill's human timeline
 * appended to its journal: figures checked against summary.json, the HTML
 * opened in headless Chromium, and a crashed run's journal reported too.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseScenario } from '../../harness/scenario/load.js';
import { Journal, readJournal } from '../../harness/journal/Journal.js';
import type { RunSummary } from '../../harness/run/summary.js';
import { launchChromium } from '../../harness/browser/chromium.js';
import { writeReport, type WrittenReport } from '../../harness/report/writeReport.js';
import { loadRun } from '../../harness/run/runDir.js';
import { RunDirError } from '../../harness/journal/Journal.js';
import { useTempDirs } from '../tempDirs.js';
import { buildEvidence, type Evidence } from '../../harness/report/evidence.js';
import { recordedNoise } from '../../harness/report/machineReliability.js';
import { reportCommand } from '../../harness/report/cli.js';
import { JournalReplay } from '../../harness/journal/replay.js';
import { toTimeline } from '../../harness/journal/records.js';
import { measureImpact } from '../../harness/run/impact.js';
import { screenshotPath } from '../screenshots.js';
import { expectFreezesAsChromiumCounts, runReliably } from '../reliableRun.js';

const SCENARIO = `
name: report-e2e
duration: 12s
viewers: { browser: 2, joinSpacing: 200ms }
faults:
  - { id: freeze, kind: video-freeze, at: 3s, duration: 3s, viewers: [browser-1] }
`;
const PROFILE = 'scenarios/sla/urgent-30m-24x7.yaml';
const SCREENSHOT = screenshotPath('report.png');

const tempDir = useTempDirs();

describe('livedrill report: evidence pack of a real broadcast with a fault and a drill timeline', () => {
  let runDir: string;
  let packDir: string;
  let summary: RunSummary;
  let written: WrittenReport;
  let evidence: Evidence;
  let faultStart: number;

  beforeAll(async () => {
    packDir = tempDir('livedrill-report-pack-');
    ({ summary, outDir: runDir } = await runReliably({ scenario: parseScenario(SCENARIO, 'x.yaml'), scenarioFile: 'x.yaml' }));

    // What a drill adds to the journal: its SLA profile, an alert, and what people did, timed from the fault.
    const fault = summary.faults[0];
    faultStart = fault.start;
    const journal = new Journal(join(runDir, 'journal.jsonl'));
    journal.write('drill.start', { slaProfile: 'urgent-30m-24x7.yaml', slaProfileYaml: readFileSync(PROFILE, 'utf8') }, Date.parse(summary.startedAt));
    journal.write('alert.fire', { rule: 'viewer-freeze-ratio', faultId: 'freeze', value: 0.5 }, fault.start + 1500);
    journal.write('incident.action', { action: 'ack', who: 'alice', text: 'looking' }, fault.start + 2500);
    journal.write(
      'incident.action',
      { action: 'ticket', who: 'alice', ticket: { vendor: 'reference level', severity: 'P1', channel: 'portal', reference: 'REF-1' } },
      fault.start + 3000,
    );
    journal.write('incident.action', { action: 'mitigate', who: 'bob', text: 'viewer reloaded' }, fault.end + 200);
    journal.write('incident.action', { action: 'vendor-reply', who: 'vendor', text: 'investigating' }, fault.end + 1000);
    journal.write('incident.action', { action: 'resolve', who: 'alice' }, fault.end + 2000);
    journal.close();

    written = await writeReport(runDir, packDir);
    evidence = JSON.parse(readFileSync(written.evidence, 'utf8')) as Evidence;
  }, 150_000);

  it('ran the broadcast, reliably, and froze the targeted viewer only', () => {
    expect(summary.error).toBeNull();
    expect(summary.reliability.reasons).toEqual([]);
    expect(summary.faults).toHaveLength(1);
    expect(summary.faults[0].affected).toEqual(['browser-1']);
    expect(summary.faults[0].affectedUntargeted).toEqual([]);
    const bystander = summary.faults[0].viewers.find((v) => v.id === 'browser-2')!;
    expect(bystander).toMatchObject({ targeted: false, affected: false, freezeCount: 0 });
    expectFreezesAsChromiumCounts(summary);
  });

  it('writes report.md, report.html, evidence.json and a self-contained raw/ bundle', () => {
    for (const f of [written.markdown, written.html, written.evidence]) expect(existsSync(f)).toBe(true);
    expect(written.raw.map((f) => f.slice(packDir.length + 1)).sort()).toEqual(['raw/README.txt', 'raw/journal.jsonl', 'raw/summary.json']);
    expect(readFileSync(join(packDir, 'raw/journal.jsonl'), 'utf8')).toBe(readFileSync(join(runDir, 'journal.jsonl'), 'utf8'));
    expect(readFileSync(join(packDir, 'raw/summary.json'), 'utf8')).toBe(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    const readme = readFileSync(join(packDir, 'raw/README.txt'), 'utf8');
    expect(readme).toContain('journal.jsonl');
    expect(readme).toContain('viewer.viewerSample');
    expect(readme).toContain('concealedSamples');
  });

  it('evidence.json: the fault window, targets and affected viewers are the summary\'s', () => {
    const f = evidence.faults[0];
    const s = summary.faults[0];
    expect(evidence.run.status).toBe('complete');
    expect(evidence.run.missing).toEqual([]);
    expect(f.faultId).toBe('freeze');
    expect(f.kind).toBe('video-freeze');
    expect(f.start).toBe(s.start);
    expect(f.end).toBe(s.end);
    expect(f.durationSeconds).toBeCloseTo(3, 1);
    expect(f.atSeconds!).toBeGreaterThanOrEqual(2.9);
    expect(f.atSeconds!).toBeLessThan(3.5);
    expect(f.targets).toEqual(['browser-1']);
    expect(f.viewers.affected).toEqual(s.affected);
    expect(f.viewers.affected).toContain('browser-1');
    expect(f.viewers.affectedPercent).toBe((100 * s.affected.length) / 2);
    expect(f.viewers.targetedAffectedPercent).toBe(100);
    expect(f.viewers.unrecovered).toEqual([]);
    expect(f.recoverySeconds).toEqual(s.recoverySeconds);
    expect(f.attributionWindow).toEqual({ from: s.start, to: s.settleEnd });
  });

  it('evidence.json: the freeze is about 3 s under both the W3C rule and the 500 ms threshold', () => {
    const f = evidence.faults[0];
    // The same W3C freezes as the summary's impact (those overlapping the attribution window), the longest the fault's.
    const impacts = summary.faults[0].viewers;
    expect(f.freezes.w3c.count).toBe(impacts.reduce((a, v) => a + v.freezeCount, 0));
    expect(f.freezes.w3c.totalSeconds).toBeCloseTo(impacts.reduce((a, v) => a + v.freezeSeconds, 0), 6);
    expect(Math.abs(f.freezes.w3c.max! - 3)).toBeLessThanOrEqual(0.3);
    expect(Math.abs(f.freezes.fixedVideo.max! - 3)).toBeLessThanOrEqual(0.3);
    expect(f.freezes.fixedVideo.thresholdMs).toBe(500);
    const v1 = f.perViewer.find((v) => v.id === 'browser-1')!;
    expect(Math.abs(v1.fixedVideoGapSeconds - 3)).toBeLessThanOrEqual(0.3);
    // A video freeze does not touch audio.
    expect(f.audio.gaps.count).toBe(0);
    expect(f.audio.concealedSeconds.max!).toBeLessThan(0.2);
    // Per viewer, whole run: the journal's figures are the summary's.
    for (const sv of summary.viewers) {
      const ev = evidence.viewers.find((v) => v.id === sv.id)!;
      expect(ev.kind).toBe(sv.kind);
      expect(ev.framesRendered).toBe(sv.framesRendered);
      expect(ev.freezes.w3c.count).toBe(sv.freezes.w3c.count);
      expect(ev.freezes.w3c.totalSeconds).toBeCloseTo(sv.freezes.w3c.seconds, 6);
      expect(ev.freezes.fixedVideo.totalSeconds).toBeCloseTo(sv.freezes.fixed['500ms'].seconds, 6);
      expect(ev.audio.concealedSeconds).toBeCloseTo(sv.audio.concealedSeconds, 6);
      expect(ev.fps).toBeCloseTo(sv.fps, 6);
      expect(ev.packets.video.received).toBe(sv.video.packetsReceived);
    }
  });

  it('evidence.json: before/after windows, versions and the reliability flag', () => {
    const w = evidence.faults[0].windows;
    expect(w.before.to).toBe(evidence.faults[0].start);
    expect(w.after.from).toBe(evidence.faults[0].end);
    expect(w.after.seconds).toBeGreaterThan(5);
    expect(w.during.byKind.browser.viewers).toBe(2);
    // One of two viewers frozen all through the fault.
    expect(w.during.byKind.browser.freezeRatio.max!).toBeGreaterThan(0.9);
    expect(w.during.byKind.browser.fps.min!).toBeLessThan(2);
    expect(w.after.byKind.browser.fps.avg!).toBeGreaterThan(10);
    expect(w.before.publisherBitrateBps!).toBeGreaterThan(100_000);
    expect(evidence.versions.browser).toBe(summary.versions.browser);
    expect(evidence.versions.mediasoup).toBe(summary.versions.mediasoup);
    expect(evidence.versions.mediasoupClient).toBe(summary.versions.mediasoupClient);
    expect(evidence.versions.node).toBe(process.version);
    expect(evidence.reliability.source).toBe('summary.json');
    expect(evidence.reliability.status).toBe(summary.reliability.reliable ? 'reliable' : 'unreliable');
    expect(evidence.reliability.statement).toMatch(summary.reliability.reliable ? /^RELIABLE/ : /^UNRELIABLE/);
  });

  it('evidence.json: the human timeline with SLA verdicts from the profile the drill recorded', () => {
    const tl = evidence.timeline;
    expect(tl.present).toBe(true);
    expect(tl.error).toBeNull();
    expect(tl.slaProfiles.map((p) => p.vendor)).toEqual(['reference level']);
    const incident = tl.incidents[0];
    expect(incident.incidentId).toBe('freeze');
    expect(incident.detectMs).toBe(1500);
    expect(incident.acknowledgeMs).toBe(1000);
    expect(incident.escalateMs).toBe(500);
    expect(incident.tickets[0].sla).toMatchObject({ status: 'met', severity: 'P1', budgetMs: 30 * 60_000 });
    expect(tl.events.map((e) => e.what)).toEqual(['viewer-freeze-ratio', 'ack', 'ticket', 'mitigate', 'vendor-reply', 'resolve']);
  });

  it('the timelines rebuilt from the journal give exactly the summary\'s impact figures', () => {
    const rec = JournalReplay.of(readJournal(join(runDir, 'journal.jsonl')), { frames: true }).record();
    const truth = rec.faults.map(({ faultId, kind, start, end, targets, params }) => ({ faultId, kind, start, end, targets, params }));
    const recomputed = measureImpact(truth, rec.viewers.map(toTimeline), rec.publisher, Date.parse(summary.endedAt), recordedNoise(rec));
    expect(JSON.parse(JSON.stringify(recomputed.faults))).toEqual(JSON.parse(JSON.stringify(summary.faults)));
    expect(JSON.parse(JSON.stringify(recomputed.unexplained))).toEqual(JSON.parse(JSON.stringify(summary.effects.unexplained)));
  });

  it('without summary.json the report computes the impact from the journal', () => {
    const run = loadRun(runDir);
    const journalOnly = buildEvidence({ ...run, summary: null, summaryFile: null, summaryProblem: 'summary.json is missing (test)' });
    const a = journalOnly.faults[0];
    const b = evidence.faults[0];
    expect(a.impactSource).toBe('journal');
    expect(b.impactSource).toBe('summary.json');
    expect(a.viewers.affected).toEqual(b.viewers.affected);
    expect(a.end).toBe(b.end);
    for (const v of b.perViewer) {
      const j = a.perViewer.find((x) => x.id === v.id)!;
      expect(j.freezeSeconds).toBeCloseTo(v.freezeSeconds, 6);
      // Measurement ends at the last viewer sample instead of the summary's end: a few samples more or less.
      expect(Math.abs(j.audioConcealedSeconds - v.audioConcealedSeconds)).toBeLessThan(0.2);
    }
    expect(a.recoverySeconds.max!).toBeCloseTo(b.recoverySeconds.max!, 1);
    expect(journalOnly.run.status).toBe('incomplete');
    expect(journalOnly.reliability.source).toBe('journal');
    expect(journalOnly.reliability.details!.steadySamples).toBe(summary.reliability.steadySamples);
  });

  it('report.md states reliability first, the fault, both freeze definitions and the timeline', () => {
    const md = readFileSync(written.markdown, 'utf8');
    const reliabilityAt = md.indexOf('Machine reliability');
    expect(reliabilityAt).toBeGreaterThan(0);
    expect(reliabilityAt).toBeLessThan(md.indexOf('## What was broken'));
    expect(md).toContain('| freeze | video-freeze |');
    expect(md).toContain('Video gaps > 500 ms');
    expect(md).toContain('## Definitions');
    expect(md).toContain('max(3 × avg, avg + 150 ms)');
    expect(md).toMatch(/\| ticket \| alice \|/);
    expect(md).toMatch(/MET \(P1/);
  });

  describe('report.html in headless Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('is self-contained, draws every chart with the run\'s data, and is screenshotted', async () => {
      const html = readFileSync(written.html, 'utf8');
      // No network: nothing loaded from elsewhere.
      expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/i);
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`file://${written.html}`, { waitUntil: 'load' });
      await page.waitForFunction('window.livedrillCharts && (window.livedrillCharts.ready || window.livedrillCharts.error)');
      const state = (await page.evaluate('window.livedrillCharts')) as {
        ready: boolean;
        error: string | null;
        charts: Record<string, { points: number; max: Array<number | null> }>;
        bands: Record<string, Array<{ faultId: string; left: number; width: number }>>;
        markers: Record<string, string[]>;
      };
      expect(errors).toEqual([]);
      expect(state.error).toBeNull();
      expect(requests.every((u) => u.startsWith('file:') || u.startsWith('data:'))).toBe(true);

      // Time charts: canvases, with the run's series.
      expect(await page.$$eval('figure.chart .uplot canvas', (els) => els.length)).toBeGreaterThanOrEqual(3);
      expect(state.charts.freeze.points).toBeGreaterThan(20);
      // One viewer of two frozen for 3 s: at least 50 % under both definitions, as evidence.json says.
      const peak = (xs: number[]): number => Math.round(Math.max(...xs) * 10000) / 100;
      expect(state.charts.freeze.max[0]).toBeGreaterThanOrEqual(50);
      expect(state.charts.freeze.max[0]).toBe(peak(evidence.charts.frozenShare.w3c));
      expect(state.charts.freeze.max[1]).toBeGreaterThanOrEqual(50);
      expect(state.charts.freeze.max[1]).toBe(peak(evidence.charts.frozenShare.fixedVideo));
      expect(state.charts.audio.points).toBeGreaterThan(10);
      expect(state.charts.connections.max[0]).toBeGreaterThanOrEqual(1); // joins
      // The fault window shaded on every time chart, a band about 3/12 of the plot wide.
      for (const name of ['freeze', 'audio', 'connections']) {
        expect(state.bands[name].map((b) => b.faultId)).toEqual(['freeze']);
        expect(state.bands[name][0].width).toBeGreaterThan(100);
      }
      // The human timeline as markers.
      expect(state.markers.freeze).toEqual(expect.arrayContaining(['viewer-freeze-ratio', 'ack (alice)', 'ticket (alice)', 'resolve (alice)']));

      // Per-viewer timeline: a W3C freeze bar on the frozen viewer, inside the drawn fault window.
      const bars = await page.$$eval('#viewer-timeline rect.freeze-w3c[data-viewer="browser-1"]', (els) =>
        els.map((e) => ({ start: Number(e.getAttribute('data-start')), width: e.getBoundingClientRect().width, x: e.getBoundingClientRect().x })),
      );
      const bar = bars.find((b) => Math.abs(b.start - faultStart) < 500);
      expect(bar).toBeDefined();
      expect(bar!.width).toBeGreaterThan(100);
      expect(await page.$$eval('#viewer-timeline rect.freeze-fixed[data-viewer="browser-1"]', (els) => els.length)).toBeGreaterThanOrEqual(1);
      const window = await page.$eval('#viewer-timeline g.fault-window[data-fault="freeze"] rect', (e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, width: r.width };
      });
      expect(Math.abs(window.x - bar!.x)).toBeLessThan(10);
      expect(Math.abs(window.width - bar!.width)).toBeLessThan(15);
      expect(await page.$$eval('#viewer-timeline g.viewer-row', (els) => els.map((e) => e.getAttribute('data-viewer')))).toEqual([
        'browser-1',
        'browser-2',
      ]);
      expect(await page.$$eval('#viewer-timeline g.marker', (els) => els.length)).toBe(6);

      // The human timeline table lists the actions; the SLA verdict is shown.
      const rows = await page.$$eval('#human-timeline tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows.map((r) => r[3])).toEqual(['alert: viewer-freeze-ratio', 'ack', 'ticket', 'mitigate', 'vendor-reply', 'resolve']);
      expect(rows.map((r) => r[2])).toEqual(Array(6).fill('freeze'));
      expect(rows[1][4]).toBe('alice');
      expect(await page.$eval('#sla-table', (t) => t.textContent)).toContain('MET (P1');
      // Reliability stated before anything else.
      expect(await page.$eval('main > :nth-child(2)', (e) => e.id)).toBe('reliability');
      expect(await page.$eval('#definitions + dl', (e) => e.textContent)).toContain('avg + 150 ms');

      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
      await page.close();
    });
  });

  it('writes raw/ copies into the run directory itself when no --out is given', async () => {
    const copy = tempDir('livedrill-report-same-');
    copyFileSync(join(runDir, 'journal.jsonl'), join(copy, 'journal.jsonl'));
    copyFileSync(join(runDir, 'summary.json'), join(copy, 'summary.json'));
    const same = await writeReport(copy);
    expect(same.outDir).toBe(copy);
    expect(readFileSync(join(copy, 'raw/journal.jsonl'), 'utf8')).toBe(readFileSync(join(copy, 'journal.jsonl'), 'utf8'));
    expect(existsSync(join(copy, 'raw/summary.json'))).toBe(true);
    expect(existsSync(join(copy, 'report.html'))).toBe(true);
    // Reporting again on the pack's own raw/ directory does not copy a file onto itself.
    const again = await writeReport(join(copy, 'raw'), copy);
    expect(again.raw).toHaveLength(3);
  });

  it('a crashed run (journal cut mid-line during the freeze, no summary.json) still gets a report that says it is incomplete', async () => {
    const crashed = tempDir('livedrill-report-crash-');
    const lines = readFileSync(join(runDir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
    const entries = lines.map((l) => JSON.parse(l) as { t: number; type: string });
    // Everything the run had written 2 s into the freeze, then half a line.
    const cut = entries.findIndex((e) => e.type === 'fault.inject') + 1;
    const kept = lines.slice(0, cut).concat(lines.slice(cut).filter((_, i) => entries[cut + i].t < faultStart + 2000 && !entries[cut + i].type.startsWith('fault.')));
    const partial = kept.filter((l) => !l.includes('"incident.action"') && !l.includes('"alert.fire"') && !l.includes('"drill.start"'));
    const next = lines[lines.length - 1];
    writeFileSync(join(crashed, 'journal.jsonl'), `${partial.join('\n')}\n${next.slice(0, Math.floor(next.length / 2))}`);
    expect(existsSync(join(crashed, 'summary.json'))).toBe(false);

    const report = await writeReport(crashed);
    const ev = JSON.parse(readFileSync(report.evidence, 'utf8')) as Evidence;
    expect(ev.run.status).toBe('incomplete');
    expect(ev.run.sources.journalTruncated).toBe(true);
    expect(ev.run.sources.summary).toBeNull();
    expect(ev.run.missing.join('\n')).toMatch(/summary\.json is missing/);
    expect(ev.run.missing.join('\n')).toMatch(/last line was cut/);
    expect(ev.run.missing.join('\n')).toMatch(/no run\.end entry/);
    expect(ev.run.missing.join('\n')).toMatch(/fault freeze has no fault\.revert/);
    expect(ev.run.pass).toBeNull();
    // Still measured from the journal: the fault, and the freeze still open when the record stops.
    expect(ev.faults.map((f) => f.faultId)).toEqual(['freeze']);
    expect(ev.faults[0].impactSource).toBe('journal');
    expect(ev.faults[0].reverted).toBe(false);
    const open = ev.viewers.find((v) => v.id === 'browser-1')!.freezes.w3c.intervals.at(-1)!;
    expect(open.ongoing).toBe(true);
    expect(open.start).toBeLessThan(faultStart + 100);
    expect(ev.faults[0].viewers.affected).toContain('browser-1');
    expect(ev.reliability.source).toBe('journal');
    expect(ev.versions.browser).toBeNull();
    expect(ev.versions.mediasoup).toBe(summary.versions.mediasoup);

    const md = readFileSync(report.markdown, 'utf8');
    expect(md).toContain('INCOMPLETE RUN');
    expect(md).toContain('summary.json is missing');
    const html = readFileSync(report.html, 'utf8');
    expect(html).toContain('INCOMPLETE RUN');
    expect(readFileSync(join(crashed, 'raw/README.txt'), 'utf8')).toMatch(/summary\.json\s+ABSENT/);
    expect(existsSync(join(crashed, 'raw/summary.json'))).toBe(false);
    // The cut journal is bundled as it is.
    expect(readJournal(join(crashed, 'raw/journal.jsonl')).length).toBe(partial.length);
  });

  it('the CLI command writes the pack and prints the paths; a bad directory is a clear error', async () => {
    const out = tempDir('livedrill-report-cli-');
    const logs: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args) => void logs.push(args.join(' ')));
    const err = vi.spyOn(console, 'error').mockImplementation((...args) => void logs.push(args.join(' ')));
    try {
      const program = new Command().exitOverride();
      reportCommand(program);
      await program.parseAsync(['report', runDir, '--out', out], { from: 'user' });
      for (const f of ['report.html', 'report.md', 'evidence.json', 'raw/journal.jsonl', 'raw/summary.json', 'raw/README.txt']) {
        expect(logs.some((l) => l.startsWith('wrote ') && l.endsWith(join(out, f)))).toBe(true);
      }
      const missing = join(tmpdir(), 'livedrill-no-such-run');
      const again = new Command().exitOverride();
      reportCommand(again);
      await again.parseAsync(['report', missing], { from: 'user' });
      expect(logs.at(-1)).toBe(`${missing}: no such run directory`);
      expect(process.exitCode).toBe(2);
    } finally {
      process.exitCode = undefined;
      log.mockRestore();
      err.mockRestore();
    }
  });
});

describe('loadRun errors name the path', () => {
  it('missing directory, missing journal', () => {
    expect(() => loadRun('/nonexistent/run-dir')).toThrow(new RunDirError('/nonexistent/run-dir: no such run directory'));
    const empty = tempDir('livedrill-report-empty-');
    expect(() => loadRun(empty)).toThrow(`${join(empty, 'journal.jsonl')}: missing`);
  });
});
