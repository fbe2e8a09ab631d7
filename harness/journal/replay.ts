/**
 * The one replay: journal entries in, the run's record out — per viewer its
 * freezes, getStats growth per sample, joins, disconnections and recoveries;
 * the host publisher's cumulative counters; the faults' ground truth. The
 * live run feeds it each entry as it writes it, `merge` the shards' merged
 * journals, the report and the drill a journal read from disk: all of them
 * see the same figures because they are computed once, here.
 *
 * Entries are taken in arrival order (the order the run processed them).
 */
import { growth } from '../probes/ViewerQoe.js';
import type { FaultKind } from '../scenario/faults.js';
import { HOST_PUBLISHER_ID, VIDEO_GAP_MS } from '../scenario/definitions.js';
import { journalVersion, scheduledEndOf, type JournalEntry } from './entries.js';
import type { FaultTruth, PublisherSample, RunEnding, RunRecord, ViewerTrack } from './records.js';
import { ViewerReplay, type ViewerReplaySettings } from './ViewerReplay.js';
import type { PathCounters } from '../network/ImpairedPath.js';


export interface ReplayOptions {
  /** Keep browser viewers' rendered frame times (the report draws them; a live run need not). */
  frames?: boolean;
  /** Keep a viewer sample only when this says so (a live run keeps what impact analysis will read). */
  keepSample?: (t: number) => boolean;
  /** Keep self.sample entries. */
  selfSamples?: boolean;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export class JournalReplay {
  readonly #options: ReplayOptions;
  readonly #viewers = new Map<string, ViewerReplay>();
  readonly #publisher: PublisherSample[] = [];
  /** Cumulative frames encoded, at each sample that had video: the frame rate of a stretch. */
  readonly #publisherFrames: Array<{ t: number; frames: number }> = [];
  #publisherRaw: { bytes: number; frames: number; pli: number; fir: number } | undefined;
  readonly #publisherTotals = { bytes: 0, frames: 0, pli: 0, fir: 0 };
  readonly #injects: JournalEntry[] = [];
  readonly #reverts = new Map<string, JournalEntry>();
  readonly #faultErrors: RunRecord['faultErrors'] = [];
  readonly #workerEvents: RunRecord['workerEvents'] = [];
  readonly #selfSamples: JournalEntry[] = [];
  readonly #errors: string[] = [];
  #first: JournalEntry | undefined;
  #steadyAt: number | null = null;
  #runEnd: JournalEntry | undefined;
  #slaProfileFile: string | null = null;
  #firstT = Infinity;
  #lastT = -Infinity;
  #lastSampleT = -Infinity;
  /** Shared with every viewer's replay; run.start fills it in. */
  readonly #settings: ViewerReplaySettings;

  constructor(options: ReplayOptions = {}) {
    this.#options = options;
    this.#settings = { frames: options.frames ?? false, keepSample: options.keepSample, sampleIntervalMs: 500, fixedThresholdsMs: [VIDEO_GAP_MS] };
  }

  /** Replays a whole journal. */
  static of(entries: readonly JournalEntry[], options: ReplayOptions = {}): JournalReplay {
    const replay = new JournalReplay(options);
    for (const e of entries) replay.add(e);
    return replay;
  }

  add(e: JournalEntry): void {
    this.#firstT = Math.min(this.#firstT, e.t);
    this.#lastT = Math.max(this.#lastT, e.t);
    if (e.type.startsWith('viewer.')) {
      const id = str(e.viewerId);
      if (id === null) return;
      if (e.type === 'viewer.viewerSample') this.#lastSampleT = Math.max(this.#lastSampleT, e.t);
      this.#viewer(id).add(e);
      return;
    }
    switch (e.type) {
      case 'run.start':
        if (this.#first) break; // a merged journal: the first run.start (the SFU's) names the run
        this.#first = e;
        journalVersion([e]);
        this.#readMeasurement(e.scenario);
        break;
      case 'run.steady':
        this.#steadyAt ??= e.t;
        break;
      case 'run.end':
        this.#runEnd ??= e;
        break;
      case 'run.error':
        this.#errors.push(str(e.message) ?? 'run error');
        break;
      case 'publisher.publisherSample':
        if (e.publisherId === undefined || e.publisherId === HOST_PUBLISHER_ID) this.#onPublisherSample(e);
        break;
      case 'fault.inject':
        if (str(e.faultId) !== null) this.#injects.push(e);
        break;
      case 'fault.revert': {
        const id = str(e.faultId);
        if (id !== null && !this.#reverts.has(id)) this.#reverts.set(id, e);
        break;
      }
      case 'fault.error':
        this.#faultErrors.push({ t: e.t, faultId: str(e.faultId) ?? '?', message: str(e.message) ?? '' });
        break;
      case 'sfu.workerDied':
      case 'sfu.workerReplaced':
        this.#workerEvents.push({ t: e.t, type: e.type, index: num(e.index), message: str(e.message) });
        break;
      case 'self.sample':
        if (this.#options.selfSamples !== false) this.#selfSamples.push(e);
        break;
      case 'drill.start':
        this.#slaProfileFile ??= str(e.slaProfile);
        break;
    }
  }

  /** The faults' ground truth; a fault never reverted in the record ran until its scheduled end or `end`, whichever came first. */
  faults(end: number): FaultTruth[] {
    return this.#injects
      .map((e) => {
        const faultId = str(e.faultId)!;
        const start = num(e.start) ?? e.t;
        // No scheduled end in the record (a damaged line): as far as anyone can tell, it lasted to the end of the record.
        const scheduledEnd = scheduledEndOf(e) ?? null;
        const revert = this.#reverts.get(faultId);
        return {
          faultId,
          kind: (str(e.kind) ?? 'unknown') as FaultKind,
          start,
          end: num(revert?.end) ?? Math.min(scheduledEnd ?? Infinity, Math.max(start, end)),
          scheduledEnd,
          targets: Array.isArray(e.targets) ? (e.targets as string[]) : [],
          params: (e.params as Record<string, unknown> | undefined) ?? {},
          revertReason: str(revert?.reason),
          revertError: str(revert?.error),
          reverted: revert !== undefined,
          ...(revert?.relayed && typeof revert.relayed === 'object' ? { relayed: revert.relayed as Record<string, PathCounters> } : {}),
        };
      })
      .sort((a, b) => a.start - b.start);
  }

  get publisherSamples(): readonly PublisherSample[] {
    return this.#publisher;
  }

  /** The host publisher's figures: its frame rate over the steady broadcast (from `steadyFrom`), start-up excluded; null without video. */
  publisherSummary(steadyFrom = 0): { framesEncoded: number; fps: number; bytesSent: number; pliCount: number; firCount: number } | null {
    const samples = this.#publisherFrames;
    const first = samples.find((s) => s.t >= steadyFrom) ?? samples[0];
    const last = samples.at(-1);
    if (!first || !last) return null;
    const seconds = (last.t - first.t) / 1000;
    const totals = this.#publisherTotals;
    return {
      framesEncoded: totals.frames,
      fps: seconds > 0 ? (last.frames - first.frames) / seconds : 0,
      bytesSent: totals.bytes,
      pliCount: totals.pli,
      firCount: totals.fir,
    };
  }

  /**
   * The viewers as they stand at `end`. `complete`: the run ended properly and
   * journaled every freeze, so a gap still open is not added again.
   */
  viewers(end: number, complete: boolean, kinds: ReadonlyMap<string, string> = new Map()): ViewerTrack[] {
    const scenarioKinds = Object.keys((this.#first?.scenario as { viewers?: Record<string, unknown> } | undefined)?.viewers ?? {});
    return [...this.#viewers.entries()]
      .map(([id, state]) => {
        // Journals before version 2 do not say a viewer's kind: the summary does, else its id's prefix.
        const kind = state.kindFromEntry ?? kinds.get(id) ?? scenarioKinds.find((k) => id.startsWith(`${k}-`)) ?? 'unknown';
        return state.finish(kind, end, complete);
      })
      .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  }

  /** The whole record; `summary`, when the run wrote one, says when measurement ended and the viewers' kinds. */
  record(summary: RunEnding | null = null): RunRecord {
    const first = this.#first;
    const scenario = (first?.scenario as Record<string, unknown> | undefined) ?? null;
    // Without the summary's exact end, measurement ends with the last viewer sample: an open gap is never made longer than seen.
    const end = summary?.endedAt
      ? Date.parse(summary.endedAt)
      : Number.isFinite(this.#lastSampleT)
        ? this.#lastSampleT
        : (this.#runEnd?.t ?? this.#lastT);
    for (const v of summary?.viewers ?? []) this.#viewer(v.id);
    const kinds = new Map((summary?.viewers ?? []).flatMap((v) => (v.kind ? [[v.id, v.kind] as [string, string]] : [])));
    return {
      journalVersion: first ? journalVersion([first]) : 1,
      runId: str(first?.runId) ?? summary?.runId ?? null,
      scenarioName: str(scenario?.name) ?? summary?.scenario?.name ?? null,
      scenarioFile: str(first?.scenarioFile) ?? summary?.scenario?.file ?? null,
      scenario,
      versions: { ...((first?.versions as Record<string, string> | undefined) ?? {}), ...(summary?.versions ?? {}) },
      start: first?.t ?? this.#firstT,
      steadyAt: this.#steadyAt,
      end,
      ended: this.#runEnd !== undefined,
      interrupted: summary?.interrupted ?? (this.#runEnd ? Boolean(this.#runEnd.interrupted) : null),
      errors: [...this.#errors, ...(summary?.error && !this.#errors.includes(summary.error) ? [summary.error] : [])],
      viewers: this.viewers(end, this.#runEnd !== undefined || summary !== null, kinds),
      publisher: [...this.#publisher].sort((a, b) => a.t - b.t),
      faults: this.faults(end),
      faultErrors: this.#faultErrors,
      workerEvents: this.#workerEvents,
      selfSamples: this.#selfSamples,
      sampleIntervalMs: this.#settings.sampleIntervalMs,
      fixedThresholdsMs: this.#settings.fixedThresholdsMs,
      slaProfileFile: this.#slaProfileFile,
    };
  }

  #readMeasurement(scenario: unknown): void {
    const m = (scenario as { measurement?: { sampleInterval?: unknown; fixedFreezeThresholds?: unknown } } | undefined)?.measurement;
    if (Array.isArray(m?.fixedFreezeThresholds)) this.#settings.fixedThresholdsMs = m.fixedFreezeThresholds as number[];
    this.#settings.sampleIntervalMs = num(m?.sampleInterval) ?? 500;
  }

  #viewer(id: string): ViewerReplay {
    let viewer = this.#viewers.get(id);
    if (!viewer) {
      viewer = new ViewerReplay(id, this.#settings);
      this.#viewers.set(id, viewer);
    }
    return viewer;
  }

  #onPublisherSample(e: JournalEntry): void {
    const video = e.video as { bytesSent?: number; framesEncoded?: number; pliCount?: number; firCount?: number } | undefined;
    const audio = e.audio as { bytesSent?: number } | undefined;
    if (!video && !audio) return;
    // Counters restart at zero when the publisher republishes: growth is accumulated.
    const raw = {
      bytes: (video?.bytesSent ?? 0) + (audio?.bytesSent ?? 0),
      frames: video?.framesEncoded ?? 0,
      pli: video?.pliCount ?? 0,
      fir: video?.firCount ?? 0,
    };
    const totals = this.#publisherTotals;
    for (const key of ['bytes', 'frames', 'pli', 'fir'] as const) totals[key] += growth(raw[key], this.#publisherRaw?.[key]);
    this.#publisherRaw = raw;
    this.#publisher.push({ t: e.t, bytes: totals.bytes, keyframeRequests: totals.pli + totals.fir });
    if (video) this.#publisherFrames.push({ t: e.t, frames: totals.frames });
  }
}
