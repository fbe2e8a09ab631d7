/**
 * The vendor scorecard on drills written by hand (handDrills.ts): known
 * action times, so every support figure is known. Clarification rounds,
 * answers by day and at night, reopened tickets, generic replies, samples too
 * small to rank, and what makes runs comparable.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSlaProfile, type SlaProfile } from '../../harness/drill/slaProfile.js';
import { DEFAULT_NIGHT } from '../../harness/drill/timeOfDay.js';
import { loadTrial, type TrialRun } from '../../harness/vendors/load.js';
import type { Row } from '../../harness/vendors/model.js';
import { buildScorecard, type Scorecard } from '../../harness/vendors/scorecard.js';
import { renderMarkdown } from '../../harness/vendors/markdown.js';
import { useTempDirs } from '../tempDirs.js';
import { writeHandDrill, type HandDrill } from './handDrills.js';

const tempDir = useTempDirs();
const MIN = 60_000;

/** Acme on Twilio's base plan (P1: 2 business hours, Mon-Fri 06:00-18:00 Los Angeles). */
const acme: HandDrill[] = [
  {
    id: 'a-day', // Tuesday 15:00 in Los Angeles: inside the plan's hours, by day
    vendor: 'Acme',
    profile: 'twilio-base.yaml',
    struck: '2026-11-24T15:00:00-08:00',
    actions: [
      [1, 'ack'],
      [2, 'ticket'],
      [10, 'resolve'],
      [22, 'vendor-reply'],
      [30, 'vendor-ask', { text: 'which SDK version?' }],
      [45, 'vendor-ask', { text: 'send client logs', tags: ['see-docs'] }],
      [60, 'vendor-diagnosis', { rootCause: true, text: 'keyframe requests dropped' }],
      [70, 'vendor-ask', { text: 'can you retest?' }],
      [120, 'vendor-fix', { fix: 'fix' }],
      [180, 'fix-verified', { verifiedBy: 'a-rerun' }],
    ],
  },
  {
    id: 'a-night', // Wednesday 02:00: outside the plan's hours, at night; the reply comes 9 h after the ticket
    vendor: 'Acme',
    profile: 'twilio-base.yaml',
    struck: '2026-11-25T02:00:00-08:00',
    actions: [
      [5, 'ticket'],
      [545, 'vendor-reply', { tags: ['restart'] }],
      [600, 'vendor-diagnosis', { rootCause: false, tags: ['network-on-your-side'] }],
      [660, 'vendor-escalate', { contact: 'Kim (Acme engineering)' }],
      [900, 'vendor-diagnosis', { rootCause: true }],
      [960, 'vendor-fix', { fix: 'workaround' }],
      [1020, 'fix-verified', { verifiedBy: 'a-rerun' }],
      [1080, 'reopen', { text: 'froze again' }],
    ],
  },
  {
    id: 'a-third', // Thursday 10:00: reopened once, verified again
    vendor: 'Acme',
    profile: 'twilio-base.yaml',
    struck: '2026-11-26T10:00:00-08:00',
    actions: [
      [3, 'ticket'],
      [13, 'vendor-ask', { text: 'what browser?' }],
      [40, 'vendor-diagnosis', { rootCause: true }],
      [50, 'vendor-fix', { fix: 'fix' }],
      [60, 'fix-verified', { verifiedBy: 'x' }],
      [90, 'reopen'],
      [150, 'fix-verified', { verifiedBy: 'y' }],
    ],
  },
];

/** Zeta on Zoom Premier (P1: 1 h, 24x7): two drills, one too few to rank with the default minimum of 3. */
const zeta: HandDrill[] = [
  {
    id: 'z-day',
    vendor: 'Zeta',
    profile: 'zoom-premier.yaml',
    struck: '2026-11-24T15:00:00-08:00',
    actions: [
      [2, 'ticket'],
      [12, 'vendor-reply', { contact: 'Sam (Zeta TAM)' }],
      [30, 'vendor-diagnosis', { rootCause: true }],
      [40, 'vendor-fix', { fix: 'fix' }],
      [60, 'fix-verified', { verifiedBy: 'z-rerun' }],
    ],
  },
  {
    id: 'z-night',
    vendor: 'Zeta',
    profile: 'zoom-premier.yaml',
    struck: '2026-11-25T02:00:00-08:00',
    actions: [
      [2, 'ticket'],
      [22, 'vendor-reply'],
      [50, 'vendor-diagnosis', { rootCause: true }],
    ],
  },
];

let yardstick: SlaProfile;
beforeAll(async () => {
  yardstick = await loadSlaProfile('scenarios/sla/urgent-30m-24x7.yaml');
});

const trial = async (drills: HandDrill[], vendors: Array<{ vendor: string; dir: string }> = []): Promise<TrialRun[]> => {
  const root = tempDir('livedrill-vendors-');
  return loadTrial({ dirs: drills.map((d) => writeHandDrill(root, d)), vendors });
};
const card = (runs: TrialRun[], minSample = 3, allowMixedVersions = false): Scorecard =>
  buildScorecard(runs, { minSample, yardstick: { profile: yardstick, file: 'urgent-30m-24x7.yaml' }, timeZone: null, night: DEFAULT_NIGHT, allowMixedVersions, outDir: tempDir('livedrill-scorecard-') });
const rowOf = (c: Scorecard, key: string): Row => {
  const found = c.sections.flatMap((s) => s.groups.flatMap((g) => g.rows)).find((r) => r.key === key);
  if (!found) throw new Error(`no row ${key}`);
  return found;
};
/** A row's cell as [sorted values, p50, p95] (durations in minutes), or [k, n] for a share. */
const figure = (c: Scorecard, key: string, vendor: string): unknown => {
  const cell = rowOf(c, key).cells[vendor];
  if (!cell) return 'no data';
  if (cell.rate) return [cell.rate.k, cell.rate.n];
  const scale = rowOf(c, key).unit === 'duration' ? MIN : 1;
  const s = cell.spread!;
  return [cell.samples.map((x) => x.value / scale).sort((a, b) => a - b), s.p50 === null ? null : s.p50 / scale, s.p95 === null ? null : s.p95 / scale];
};

describe('vendor scorecard: support figures from drills with known action times', () => {
  let scorecard: Scorecard;
  beforeAll(async () => {
    scorecard = card(await trial([...acme, ...zeta]));
  });

  it('first response by severity and by when the fault struck: 20 min at 15:00, 9 h at 02:00', () => {
    expect(figure(scorecard, 'response.P1', 'Acme')).toEqual([[10, 20, 540], 20, 540]);
    expect(figure(scorecard, 'response.P1', 'Zeta')).toEqual([[10, 20], 10, 20]);
    expect(figure(scorecard, 'response.day', 'Acme')).toEqual([[10, 20], 10, 20]);
    expect(figure(scorecard, 'response.night', 'Acme')).toEqual([[540], 540, 540]);
    expect(figure(scorecard, 'response.plan-hours', 'Acme')).toEqual([[10, 20], 10, 20]);
    expect(figure(scorecard, 'response.off-plan-hours', 'Acme')).toEqual([[540], 540, 540]);
    // Zoom Premier's P1 runs 24x7: a fault at 02:00 is inside its hours, and still at night in Los Angeles.
    expect(figure(scorecard, 'response.plan-hours', 'Zeta')).toEqual([[10, 20], 10, 20]);
    expect(figure(scorecard, 'response.off-plan-hours', 'Zeta')).toEqual([[], null, null]);
    expect(figure(scorecard, 'response.night', 'Zeta')).toEqual([[20], 20, 20]);
    expect(figure(scorecard, 'response.unanswered', 'Acme')).toEqual([0, 3]);
    const md = renderMarkdown(scorecard);
    expect(md).toContain('| Fault struck by day | p50 10 min · p95 20 min · 10 min–20 min · n 2 |');
    expect(md).toContain('| Fault struck at night | p50 9 h · p95 9 h · 9 h–9 h · n 1 |');
  });

  it("SLA met against each vendor's own plan and against the common yardstick", () => {
    // Twilio base: the 02:05 ticket's clock starts at 06:00, due 08:00; the reply came at 11:05.
    expect(figure(scorecard, 'response.sla-own', 'Acme')).toEqual([2, 3]);
    expect(figure(scorecard, 'response.sla-own', 'Zeta')).toEqual([2, 2]);
    expect(rowOf(scorecard, 'response.sla-own').cells.Acme.detail).toBe('Twilio Bootstrap');
    expect(figure(scorecard, 'response.sla-yardstick', 'Acme')).toEqual([2, 3]);
    expect(rowOf(scorecard, 'response.sla-yardstick').label).toBe('First response SLA met, yardstick: reference level urgent 30 min, 24x7');
  });

  it('clarification rounds before the diagnosis, with what was asked', () => {
    expect(figure(scorecard, 'solving.clarifications', 'Acme')).toEqual([[0, 1, 2], 1, 2]);
    expect(rowOf(scorecard, 'solving.clarifications').cells.Acme.samples[0]).toEqual({
      value: 2,
      run: 'a-day',
      ref: 'T-a-day, struck Tue 15:00 Los Angeles; asked "which SDK version?", "send client logs", "can you retest?"',
    });
    expect(figure(scorecard, 'solving.root-cause-share', 'Acme')).toEqual([3, 3]);
    expect(figure(scorecard, 'solving.root-cause', 'Acme')).toEqual([[40, 60, 900], 60, 900]);
    expect(figure(scorecard, 'solving.vague', 'Acme')).toEqual([[0, 0, 1], 0, 1]);
  });

  it('generic replies are counted, with the tags used', () => {
    expect(figure(scorecard, 'solving.generic', 'Acme')).toEqual([[0, 1, 2], 1, 2]);
    expect(rowOf(scorecard, 'solving.generic').cells.Acme.detail).toBe('network-on-your-side 1, restart 1, see-docs 1');
    expect(figure(scorecard, 'solving.generic', 'Zeta')).toEqual([[0, 0], 0, 0]);
  });

  it('a reopened ticket is solved only by a verification after the reopen', () => {
    // a-night: verified at 17 h, reopened at 18 h: unsolved. a-third: verified, reopened, verified again at 150 min.
    expect(figure(scorecard, 'solving.fix', 'Acme')).toEqual([[150, 180], 150, 180]);
    expect(figure(scorecard, 'solving.solved', 'Acme')).toEqual([2, 3]);
    expect(figure(scorecard, 'solving.reopens', 'Acme')).toEqual([[0, 1, 1], 1, 1]);
    expect(rowOf(scorecard, 'solving.solved').cells.Acme.detail).toBe('proposed: 2 fixes, 1 workaround');
    // Re-runs named by fix-verified that are not among the directories given are said to be unchecked.
    expect(scorecard.verifications.map((v) => [v.ticket, v.rerun, v.found])).toEqual([
      ['T-a-day', 'a-rerun', false],
      ['T-a-third', 'y', false],
      ['T-z-day', 'z-rerun', false],
    ]);
  });

  it('service: escalations (shown, not ranked) and named contacts', () => {
    expect(figure(scorecard, 'service.escalated', 'Acme')).toEqual([1, 3]);
    expect(figure(scorecard, 'service.escalation', 'Acme')).toEqual([[660], 660, 660]);
    expect(rowOf(scorecard, 'service.escalated').verdict).toBe('context, not ranked');
    expect(figure(scorecard, 'service.contact', 'Acme')).toEqual([1, 3]);
    expect(rowOf(scorecard, 'service.contact').cells.Zeta.detail).toBe('Sam (Zeta TAM)');
  });

  it('says where a sample is too small to rank, and ranks once every vendor has enough', async () => {
    expect(rowOf(scorecard, 'response.P1').verdict).toBe('too small to rank: Zeta 2 tickets (at least 3 each)');
    expect(rowOf(scorecard, 'response.P1').leaders).toEqual([]);
    expect(scorecard.vendors.map((v) => v.statement)).toEqual([
      '3 drills and 0 plain runs: 3 tickets, 0 runs with SDK figures. Too small a sample: 0 runs with SDK figures is too few to rank its SDK (at least 3 each).',
      '2 drills and 0 plain runs: 2 tickets, 0 runs with SDK figures. Too small a sample: 2 tickets is too few to rank its support; 0 runs with SDK figures is too few to rank its SDK (at least 3 each).',
    ]);
    const two = card(await trial([...acme, ...zeta]), 2);
    expect(rowOf(two, 'response.P1')).toMatchObject({ verdict: 'lowest p50: Zeta', leaders: ['Zeta'] });
    expect(rowOf(two, 'solving.root-cause-share')).toMatchObject({ verdict: 'tie on rate: Acme, Zeta', leaders: ['Acme', 'Zeta'] });
    expect(rowOf(two, 'response.off-plan-hours').verdict).toBe('not ranked: no figure for Zeta');
  });

  it('hand-built runs have no summary: no SDK figures, and the scorecard says why', () => {
    expect(scorecard.sections[0].groups).toEqual([]);
    expect(scorecard.fairness.warnings).toContain('Run a-day (Acme) gives no SDK figures: incomplete: summary.json is missing (the run did not finish: it crashed or was killed before writing its summary); every figure below is computed from the journal alone. Its tickets still count.');
  });
});

describe('vendor scorecard: which vendor a run belongs to, and what is comparable', () => {
  it('a plain run names no vendor: it needs --vendor NAME=DIR', async () => {
    const plain: HandDrill = { id: 'plain-1', vendor: '-', profile: '-', struck: '2026-11-24T15:00:00Z', actions: [], plain: true };
    await expect(trial([plain])).rejects.toThrow(/plain-1: a plain run names no vendor: give it as --vendor NAME=.*plain-1$/);
    const root = tempDir('livedrill-vendors-');
    const dir = writeHandDrill(root, plain);
    const runs = await loadTrial({ dirs: [writeHandDrill(root, acme[0])], vendors: [{ vendor: 'Zeta', dir }] });
    expect(runs.map((r) => [r.id, r.vendor, r.kind])).toEqual([
      ['a-day', 'Acme', 'drill'],
      ['plain-1', 'Zeta', 'run'],
    ]);
    // A folder of run directories stands for all of them; --vendor overrides the vendor a drill names, and says so.
    const mapped = await loadTrial({ dirs: [], vendors: [{ vendor: 'Other', dir: root }] });
    expect(mapped.map((r) => [r.id, r.vendor])).toEqual([
      ['a-day', 'Other'],
      ['plain-1', 'Other'],
    ]);
    expect(mapped[0].notes).toContain('the drill names its vendor "Acme"; counted for Other as --vendor says');
  });

  it('refuses runs of different livedrill versions unless allowed, and then says so at the top', async () => {
    const runs = await trial([acme[0], { ...zeta[0], livedrill: '0.2.0' }]);
    expect(() => card(runs)).toThrow('refusing to compare runs of different livedrill versions (0.1.0: a-day; 0.2.0: z-day)');
    expect(card(runs, 3, true).fairness.warnings[0]).toMatch(/^COMPARED ACROSS LIVEDRILL VERSIONS \(0\.1\.0: a-day; 0\.2\.0: z-day\)/);
  });

  it('the same scenario whatever the vendor or SLA profile; drills of different scenarios are said loudly', async () => {
    const same = await trial([acme[0], zeta[0]]);
    expect(same[0].scenario.fingerprint).toBe(same[1].scenario.fingerprint);
    expect(card(same).fairness.warnings.filter((w) => !w.includes('gives no SDK figures'))).toEqual([]);
    const different = await trial([acme[0], { ...zeta[0], viewers: 4 }]);
    expect(card(different).fairness.warnings).toContainEqual(expect.stringMatching(/^The vendors' drills ran different scenarios \(Acme: \w+; Zeta: \w+\): their support figures answer different problems\.$/));
  });

  it('a ticket opened to another vendor is left out, and said', async () => {
    const cdn: HandDrill = { ...acme[0], id: 'a-cdn', actions: [[2, 'ticket', { ticket: { vendor: 'SomeCDN', reference: 'CDN-1' } }]] };
    const c = card(await trial([cdn]));
    expect(c.vendors[0].tickets).toBe(0);
    expect(c.notes).toContain('Ticket CDN-1 in a-cdn was opened to SomeCDN, not to Acme: left out.');
  });
});
