/**
 * `livedrill report` on journals that are broken or hostile: it writes a pack
 * (or refuses the directory with exit 2), never crashes, never runs out of
 * memory, never opens a path a journal names, and never lets a journal's text
 * become markup, a link or a local file in the pack.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../tempDirs.js';
import { writeReport } from '../../harness/report/writeReport.js';

const tempDir = useTempDirs();
const t0 = Date.UTC(2026, 10, 20, 12);
const line = (o: object): string => JSON.stringify(o);

/** A small run: start, a fault, a viewer with frames and samples, a human action, an end. */
function goodLines(): string[] {
  const frames = Array.from({ length: 60 }, (_, i) => t0 + 1000 + i * 33);
  return [
    line({ t: t0, type: 'run.start', runId: 'hostile', scenario: { name: 'hostile', faults: [] }, versions: {} }),
    line({ t: t0 + 500, type: 'run.steady' }),
    line({ t: t0 + 600, type: 'viewer.joining', viewerId: 'browser-1' }),
    line({ t: t0 + 3000, type: 'viewer.viewerSample', viewerId: 'browser-1', frames, frameCount: frames.length, video: { framesDecoded: 60, packetsReceived: 200, packetsLost: 0 }, audio: { totalSamplesReceived: 96000, concealedSamples: 0, packetsReceived: 100, packetsLost: 0 } }),
    line({ t: t0 + 4000, type: 'fault.inject', faultId: 'f1', kind: 'video-freeze', start: t0 + 4000, end: t0 + 6000, targets: ['browser-1'], params: {} }),
    line({ t: t0 + 6000, type: 'fault.revert', faultId: 'f1', kind: 'video-freeze', end: t0 + 6000, reason: 'scheduled' }),
    line({ t: t0 + 7000, type: 'incident.action', action: 'note', who: 'alice', text: 'looking' }),
    line({ t: t0 + 9000, type: 'run.end', pass: true }),
  ];
}

function runDir(lines: string[], summary?: unknown): string {
  const dir = tempDir('livedrill-hostile-');
  writeFileSync(join(dir, 'journal.jsonl'), `${lines.join('\n')}\n`);
  if (summary !== undefined) writeFileSync(join(dir, 'summary.json'), typeof summary === 'string' ? summary : JSON.stringify(summary));
  return dir;
}

const report = (dir: string) => spawnSync(process.execPath, ['harness/cli/livedrill.js', 'report', dir], { encoding: 'utf8', timeout: 60_000 });

describe('hostile and broken journals', () => {
  it('a corrupt line in the middle: skipped and counted, the rest reported', async () => {
    const lines = goodLines();
    lines.splice(3, 0, '{"t": 1, "type": "viewer.viewerSample", "frames": [1,2', 'not json at all', '[1,2,3]', '42');
    const { content } = await writeReport(runDir(lines));
    expect(content.run.sources.journalSkipped).toBe(4);
    expect(content.run.missing.join(' ')).toMatch(/4 journal line\(s\) could not be used/);
    expect(content.faults.map((f) => f.faultId)).toEqual(['f1']);
  });

  it('an absurd timestamp (year 33658) is skipped, not drawn: the report stays small and quick', async () => {
    const lines = goodLines();
    lines.splice(4, 0, line({ t: 1e15, type: 'viewer.viewerSample', viewerId: 'browser-1', frames: [1e15], frameCount: 1 }));
    const started = Date.now();
    const written = await writeReport(runDir(lines));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(written.content.run.sources.journalSkipped).toBe(1);
    expect(readFileSync(written.html, 'utf8').length).toBeLessThan(5_000_000);
  });

  it('times that are not numbers are skipped', async () => {
    const lines = goodLines();
    lines.splice(2, 0, line({ t: 'noon', type: 'viewer.freeze', viewerId: 'browser-1' }), line({ t: null, type: 'run.steady' }), line({ type: 'x' }));
    const { content } = await writeReport(runDir(lines));
    expect(content.run.sources.journalSkipped).toBe(3);
  });

  it('fields of the wrong type inside an entry do not crash it', async () => {
    const lines = goodLines();
    lines.splice(5, 0, line({ t: t0 + 4500, type: 'fault.inject', faultId: 7, kind: {}, start: 'abc', end: null, targets: 'everyone', params: 3 }));
    lines.splice(3, 0, line({ t: t0 + 2000, type: 'viewer.viewerSample', viewerId: 'browser-1', frames: 'many', video: 'yes', audio: [] }));
    const written = await writeReport(runDir(lines));
    expect(readFileSync(written.markdown, 'utf8')).toContain('f1');
  });

  it('a summary.json missing fields is set aside, and the journal reported instead', async () => {
    const { content } = await writeReport(runDir(goodLines(), { viewers: [], runId: 'x' }));
    expect(content.run.sources.summary).toBeNull();
    expect(content.faults[0].impactSource).toBe('journal');
  });

  it('a summary.json that is not JSON is set aside too', async () => {
    const { content } = await writeReport(runDir(goodLines(), '{"viewers": ['));
    expect(content.run.sources.summary).toBeNull();
  });

  it('an SLA profile path named in the journal is never opened, nor its path put in the pack', async () => {
    const lines = goodLines();
    lines.splice(1, 0, line({ t: t0 + 1, type: 'drill.start', slaProfile: '/etc/passwd' }));
    const written = await writeReport(runDir(lines));
    const pack = [written.markdown, written.html, written.evidence].map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(pack).not.toContain('root:');
    expect(pack).not.toContain('/etc/passwd');
  });

  it('an embedded SLA profile that is not valid is a note that quotes none of it', async () => {
    const lines = goodLines();
    const yaml = 'vendor: Acme\nplan: Gold\napi_key: sk-live-SECRET123\nseverities: nonsense\n';
    lines.splice(1, 0, line({ t: t0 + 1, type: 'drill.start', slaProfile: 'acme.yaml', slaProfileYaml: yaml }));
    const written = await writeReport(runDir(lines));
    const pack = [written.markdown, written.html, written.evidence].map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(pack).not.toContain('SECRET123');
    expect(written.content.timeline.slaNotes.join(' ')).toMatch(/acme\.yaml: not a usable SLA profile/);
  });

  it('names and notes that look like markup stay text in report.md and report.html', async () => {
    const lines = goodLines();
    lines.splice(6, 0, line({ t: t0 + 7100, type: 'incident.action', action: 'note', who: '<img src=x onerror=alert(1)>', text: '[click](http://evil.example) **bold** <script>alert(2)</script>' }));
    const written = await writeReport(runDir(lines));
    const md = readFileSync(written.markdown, 'utf8');
    expect(md).not.toContain('<img');
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('[click](');
    expect(md).toContain('&lt;img src=x onerror=alert(1)');
    const html = readFileSync(written.html, 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert(2)');
  });

  it('a journal of nothing but garbage is refused with exit 2 and a message, no stack trace', () => {
    const r = report(runDir(['garbage', '{oops', '[]']));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no readable entry/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('an empty journal is refused with exit 2', () => {
    const r = report(runDir([]));
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a journal cut mid-line by a crash is reported, the cut line flagged', async () => {
    const dir = runDir(goodLines());
    writeFileSync(join(dir, 'journal.jsonl'), `${goodLines().slice(0, 6).join('\n')}\n{"t": ${t0 + 6500}, "type": "viewer.vi`);
    const { content } = await writeReport(dir);
    expect(content.run.sources.journalTruncated).toBe(true);
    expect(content.run.sources.journalSkipped).toBe(0);
  });
});
