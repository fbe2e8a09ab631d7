/** Evidence rules on synthetic journals: the audio-gap rule, and records too thin for most figures. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../tempDirs.js';
import { buildEvidence } from '../../harness/report/evidence.js';
import { audioGaps } from '../../harness/report/audioGaps.js';
import { loadRun } from '../../harness/run/runDir.js';
import type { SampleDelta } from '../../harness/journal/records.js';
import { renderMarkdown } from '../../harness/report/markdown.js';
import { renderHtml } from '../../harness/report/html.js';
import { writeReport } from '../../harness/report/writeReport.js';

const sample = (t: number, concealedMs: number, receivedMs = 500): SampleDelta => ({
  t,
  from: t - 500,
  framesRendered: 15,
  framesDecoded: 15,
  videoPacketsReceived: 50,
  videoPacketsLost: 0,
  audioPacketsReceived: 25,
  audioPacketsLost: 0,
  audioSamplesReceived: receivedMs * 48,
  audioConcealedSamples: concealedMs * 48,
  nackCount: 0,
  pliCount: 0,
  stamps: null,
  pathLatencyMs: null,
});

describe('audio gaps: a sample period with >= 200 ms of concealed audio (48 kHz)', () => {
  it('counts periods at or over 200 ms, merges consecutive ones, ignores ordinary jitter', () => {
    const gaps = audioGaps([
      sample(500, 0),
      sample(1000, 199), // just under: not a gap
      sample(1500, 0),
      sample(2000, 200), // exactly 200 ms: a gap
      sample(2500, 0),
      sample(3000, 500), // two full periods concealed: one gap of 0.9 s
      sample(3500, 400),
      sample(4000, 10),
    ]);
    expect(gaps).toEqual([
      { start: 1500, end: 2000, seconds: 0.2, ongoing: false },
      { start: 2500, end: 3500, seconds: 0.9, ongoing: false },
    ]);
  });

  it('a gap still open at the last sample is ongoing', () => {
    expect(audioGaps([sample(500, 0), sample(1000, 500)])).toEqual([{ start: 500, end: 1000, seconds: 0.5, ongoing: true }]);
  });
});

describe('thin records', () => {
  const tempDir = useTempDirs();
  const t0 = Date.parse('2026-11-25T10:00:00Z');
  const line = (o: Record<string, unknown>): string => JSON.stringify(o);

  it('a run that died right after a fault started, with no viewer data, still gets a report', async () => {
    const dir = tempDir('livedrill-report-thin-');
    writeFileSync(
      join(dir, 'journal.jsonl'),
      [
        line({ t: t0, type: 'run.start', runId: 'thin', scenarioFile: 'thin.yaml', scenario: { name: 'thin', viewers: { browser: 1 } }, versions: { node: 'v20' } }),
        line({ t: t0 + 1000, type: 'run.steady' }),
        line({ t: t0 + 2000, type: 'fault.inject', faultId: 'f1', kind: 'worker-crash', start: t0 + 2000, end: t0 + 2000, targets: ['worker:0'], params: {} }),
        line({ t: t0 + 2500, type: 'incident.action', action: 'note', who: 'carol', text: 'the harness died' }),
      ].join('\n') + '\n',
    );
    const ev = buildEvidence(loadRun(dir));
    expect(ev.run.status).toBe('incomplete');
    expect(ev.viewers).toEqual([]);
    expect(ev.faults[0]).toMatchObject({ faultId: 'f1', reverted: false, impactSource: 'journal', durationSeconds: 0 });
    expect(ev.faults[0].viewers.affectedPercent).toBeNull();
    expect(ev.reliability.status).toBe('unknown');
    expect(ev.timeline.incidents[0].actions.map((a) => a.action)).toEqual(['note']);
    expect(ev.timeline.slaNotes).toEqual([]);
    // Serialisable as it is, and renderable.
    expect(JSON.parse(JSON.stringify(ev))).toEqual(ev);
    expect(renderMarkdown(ev)).toContain('INCOMPLETE RUN');
    expect(renderHtml(ev)).toContain('no viewer in the record');
    const written = await writeReport(dir);
    expect(written.content.timeline.slaNotes.join(' ')).toMatch(/names no SLA profile/);
  });

  it('an SLA profile the journal names but does not embed is a note, never opened, named without its path', async () => {
    const dir = tempDir('livedrill-report-sla-');
    writeFileSync(
      join(dir, 'journal.jsonl'),
      [
        line({ t: t0, type: 'run.start', runId: 'sla', scenario: { name: 'sla' }, versions: {} }),
        line({ t: t0 + 1, type: 'drill.start', slaProfile: '/nowhere/vendor.yaml' }),
        line({ t: t0 + 1000, type: 'fault.inject', faultId: 'f1', kind: 'signaling-outage', start: t0 + 1000, end: t0 + 5000, targets: ['signaling'], params: {} }),
        line({ t: t0 + 2000, type: 'incident.action', action: 'ticket', who: 'dan', ticket: { vendor: 'Twilio', severity: 'P1', channel: 'phone', reference: 'T-9' } }),
      ].join('\n') + '\n',
    );
    const { content } = await writeReport(dir);
    expect(content.timeline.slaNotes.join(' ')).toMatch(/SLA profile vendor\.yaml, which this journal does not embed/);
    expect(JSON.stringify(content)).not.toContain('/nowhere');
    expect(content.timeline.incidents[0].tickets[0].sla).toEqual({ status: 'no-profile' });
    // With the profile given on the command line instead, the ticket is judged.
    const judged = await writeReport(dir, dir, { slaProfiles: ['scenarios/sla/twilio-base.yaml'] });
    expect(judged.content.timeline.incidents[0].tickets[0].sla.status).toMatch(/pending|breached/);
  });
});
