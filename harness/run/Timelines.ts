import type { Viewer } from './Viewer.js';
import type { PageReport } from '../page/reports.js';
import { growth } from '../probes/ViewerQoe.js';
import type { PublisherSample, ViewerTimeline } from './impact.js';
import type { PublisherSummary } from './summary.js';

/**
 * Keeps, while the run goes, what impact analysis needs afterwards: per
 * viewer its freezes, audio samples, disconnects and recoveries; for the
 * publisher its cumulative frames, bytes and keyframe requests (its stats
 * restart at zero when it republishes, so growth is accumulated).
 * Per-viewer samples are kept only inside the windows faults will be judged
 * in, so memory stays flat over a long run with thousands of viewers.
 */
export class Timelines {
  readonly #viewers = new Map<string, { viewer: Viewer; timeline: ViewerTimeline }>();
  readonly publisherSamples: PublisherSample[] = [];
  #publisherRaw: { frames: number; bytes: number; pli: number; fir: number } | undefined;
  readonly #publisherTotals = { frames: 0, bytes: 0, pli: 0, fir: 0 };
  /** Cumulative frames encoded over time, for the frame rate of a given stretch. */
  readonly #publisherFrames: Array<{ t: number; frames: number }> = [];
  #windows: Array<[number, number]> = [];

  /** The stretches (epoch ms) whose viewer samples impact analysis will read. */
  keepSamplesIn(windows: Array<[number, number]>): void {
    this.#windows = windows;
  }

  #wanted(t: number): boolean {
    return this.#windows.some(([from, to]) => t >= from && t <= to);
  }

  addViewer(viewer: Viewer): void {
    const timeline: ViewerTimeline = {
      id: viewer.id,
      freezes: [],
      samples: [],
      disconnects: [],
      recoveries: [],
      signalingResumes: [],
      connectedAtEnd: false,
    };
    this.#viewers.set(viewer.id, { viewer, timeline });
    const o = viewer.qoe.observer;
    o.on('freeze', (f) => timeline.freezes.push(f));
    o.on('sample', (t, d) => {
      if (!this.#wanted(t)) return;
      timeline.samples.push({
        t,
        received: d.audioSamplesReceived,
        concealed: d.audioConcealedSamples,
        packetsReceived: d.videoPacketsReceived + d.audioPacketsReceived,
        packetsLost: d.videoPacketsLost + d.audioPacketsLost,
      });
    });
    viewer.observer.on('report', (_id, r) => {
      if (r.type === 'signalingResumed') timeline.signalingResumes.push({ since: r.since, t: r.t });
    });
    o.on('disconnected', (t) => timeline.disconnects.push(t));
    o.on('recovered', (t, downSeconds) => timeline.recoveries.push({ t, downSeconds }));
  }

  onPublisherReport(report: PageReport): void {
    if (report.type !== 'publisherSample' || !report.video) return;
    const v = report.video;
    const raw = { frames: v.framesEncoded, bytes: v.bytesSent + (report.audio?.bytesSent ?? 0), pli: v.pliCount, fir: v.firCount };
    const last = this.#publisherRaw;
    const totals = this.#publisherTotals;
    for (const key of ['frames', 'bytes', 'pli', 'fir'] as const) totals[key] += growth(raw[key], last?.[key]);
    this.#publisherRaw = raw;
    this.#publisherFrames.push({ t: report.t, frames: totals.frames });
    this.publisherSamples.push({ t: report.t, keyframeRequests: totals.pli + totals.fir, bytes: totals.bytes });
  }

  /** The timelines as they stand at `end`. */
  viewers(): ViewerTimeline[] {
    return [...this.#viewers.values()].map(({ viewer, timeline }) => ({
      ...timeline,
      connectedAtEnd: viewer.qoe.connected,
      joinRequestedAt: viewer.qoe.joinRequestedAt,
      firstMediaAt: viewer.qoe.firstMediaAt,
    }));
  }

  /** The publisher's figures; its frame rate over the steady broadcast (from `steadyFrom`), start-up excluded. */
  publisher(steadyFrom = 0): PublisherSummary | null {
    const samples = this.#publisherFrames;
    const first = samples.find((s) => s.t >= steadyFrom) ?? samples[0];
    const last = samples.at(-1);
    if (!first || !last) return null;
    const seconds = (last.t - first.t) / 1000;
    return {
      framesEncoded: this.#publisherTotals.frames,
      fps: seconds > 0 ? (last.frames - first.frames) / seconds : 0,
      bytesSent: this.#publisherTotals.bytes,
      pliCount: this.#publisherTotals.pli,
      firCount: this.#publisherTotals.fir,
    };
  }
}
