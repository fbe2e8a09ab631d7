import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ViewerQoe } from '../probes/ViewerQoe.js';
import { AUDIO_SAMPLE_RATE } from '../scenario/definitions.js';
import type { PageReport } from '../page/reports.js';

export interface MeasuredViewer {
  id: string;
  kind: 'browser' | 'synthetic';
  qoe: ViewerQoe;
}

/** Exponential-ish buckets around what a viewer notices (100 ms .. 30 s). */
const SECONDS_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30];
/** Glass-to-glass latency: a few frames on one machine up to seconds behind. */
const LATENCY_BUCKETS = [0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2, 5];
/** Network path SFU → viewer: a millisecond or two on one host, up to what a delay fault adds. */
const PATH_LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2];
/** A/V offset, both ways; lip sync is noticed past about ±45 ms (ITU-R BT.1359). */
const AV_OFFSET_BUCKETS = [-0.5, -0.2, -0.1, -0.045, -0.02, 0, 0.02, 0.045, 0.1, 0.2, 0.5];

/**
 * Viewer QoE for Prometheus. Labels stay bounded: viewer kind (and media
 * kind), never a viewer id; per-viewer detail lives in the journal.
 */
export class ViewerMetrics {
  readonly #viewers = new Set<MeasuredViewer>();
  readonly #joinSeconds: Histogram;
  readonly #freezeSeconds: Histogram;
  readonly #freezes: Counter;
  readonly #frozenSeconds: Counter;
  readonly #frames: Counter;
  readonly #framesDecoded: Counter;
  readonly #framesDropped: Counter;
  readonly #audioSamples: Counter;
  readonly #audioConcealed: Counter;
  readonly #packetsLost: Counter;
  readonly #packetsReceived: Counter;
  readonly #nacks: Counter;
  readonly #disconnects: Counter;
  readonly #latency: Histogram;
  readonly #receiveLatency: Histogram;
  readonly #avOffset: Histogram;
  readonly #pathLatency: Histogram;
  readonly #neverShown: Counter;
  readonly #recoverySeconds: Histogram;
  readonly #reconnects: Counter;
  readonly #joinFailures: Counter;
  readonly #publisherBytes: Counter;
  readonly #keyframeRequests: Counter;
  readonly #publisherFrames: Counter;
  #lastPublisher: { bytes: Record<string, number>; pli: number; fir: number; frames: number } | undefined;

  constructor(registry: Registry) {
    const registers = [registry];
    const viewers = this.#viewers;
    const kind = ['kind'];
    new Gauge({
      name: 'livedrill_viewers_connected',
      help: 'Viewers that have shown a first frame and are not disconnected',
      labelNames: kind,
      registers,
      collect() {
        this.reset();
        for (const v of viewers) {
          if (v.qoe.connected) this.inc({ kind: v.kind });
          else this.inc({ kind: v.kind }, 0);
        }
      },
    });
    new Gauge({
      name: 'livedrill_viewers_frozen',
      help: 'Connected viewers whose picture is frozen right now (W3C freeze rule or a fixed gap threshold)',
      labelNames: kind,
      registers,
      collect() {
        this.reset();
        const now = Date.now();
        for (const v of viewers) this.inc({ kind: v.kind }, v.qoe.frozenNow(now) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'livedrill_viewers',
      help: 'Viewers the harness runs, joined or not',
      labelNames: kind,
      registers,
      collect() {
        this.reset();
        for (const v of viewers) this.inc({ kind: v.kind });
      },
    });
    this.#joinSeconds = new Histogram({
      name: 'livedrill_viewer_join_duration_seconds',
      help: 'Join request to first rendered frame',
      labelNames: kind,
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.#freezeSeconds = new Histogram({
      name: 'livedrill_viewer_freeze_duration_seconds',
      help: 'Duration of video freezes (W3C webrtc-stats rule)',
      labelNames: kind,
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.#freezes = counter(registry, 'livedrill_viewer_freezes_total', 'Video freezes (W3C webrtc-stats rule)', kind);
    this.#frozenSeconds = counter(registry, 'livedrill_viewer_freeze_seconds_total', 'Time spent frozen (W3C rule), summed over viewers', kind);
    this.#frames = counter(registry, 'livedrill_viewer_frames_rendered_total', 'Video frames rendered', kind);
    this.#framesDecoded = counter(registry, 'livedrill_viewer_frames_decoded_total', 'Video frames decoded', kind);
    this.#framesDropped = counter(registry, 'livedrill_viewer_frames_dropped_total', 'Video frames dropped by the receiver', kind);
    this.#audioSamples = counter(registry, 'livedrill_viewer_audio_samples_received_total', 'Audio samples received (played out)', kind);
    this.#audioConcealed = counter(registry, 'livedrill_viewer_audio_concealed_seconds_total', 'Audio concealed by the receiver (lost or late audio)', kind);
    this.#packetsLost = counter(registry, 'livedrill_viewer_packets_lost_total', 'RTP packets lost on the way to viewers', ['kind', 'media']);
    this.#packetsReceived = counter(registry, 'livedrill_viewer_packets_received_total', 'RTP packets received by viewers', ['kind', 'media']);
    this.#nacks = counter(registry, 'livedrill_viewer_nacks_total', 'NACKs sent by viewers', kind);
    this.#disconnects = counter(registry, 'livedrill_viewer_disconnects_total', 'Viewers losing their media connection or room', kind);
    this.#latency = new Histogram({
      name: 'livedrill_viewer_latency_seconds',
      help: 'Stamped source, browser viewers: glass-to-glass latency per frame (video: capture to presentation) and per audio marker (audio: emission to playout)',
      labelNames: ['kind', 'media'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#receiveLatency = new Histogram({
      name: 'livedrill_viewer_receive_latency_seconds',
      help: 'Stamped source, browser viewers: capture to the frame\'s arrival at the viewer (the transport, without the receiver\'s buffering)',
      labelNames: kind,
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#avOffset = new Histogram({
      name: 'livedrill_viewer_av_offset_seconds',
      help: 'Stamped source, browser viewers: audio latency minus video latency at each audio marker (positive: sound behind picture)',
      labelNames: kind,
      buckets: AV_OFFSET_BUCKETS,
      registers,
    });
    this.#pathLatency = new Histogram({
      name: 'livedrill_viewer_network_path_latency_seconds',
      help: 'Synthetic viewers: network path SFU to viewer per video frame (first packet), from the SFU\'s RTCP sender reports; not glass-to-glass',
      labelNames: kind,
      buckets: PATH_LATENCY_BUCKETS,
      registers,
    });
    this.#neverShown = counter(registry, 'livedrill_viewer_frames_never_shown_total', 'Stamped source: source frames a viewer never showed (missing frame numbers)', kind);
    this.#recoverySeconds = new Histogram({
      name: 'livedrill_viewer_recovery_duration_seconds',
      help: 'Disconnection to first rendered frame after it',
      labelNames: kind,
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.#reconnects = counter(registry, 'livedrill_viewer_reconnect_attempts_total', 'Reconnect attempts (signaling resume or full rejoin) by outcome', ['kind', 'outcome']);
    this.#joinFailures = counter(registry, 'livedrill_viewer_join_failures_total', 'Join attempts that failed', kind);
    this.#publisherBytes = counter(registry, 'livedrill_publisher_sent_bytes_total', 'Bytes the publisher sent', ['media']);
    this.#keyframeRequests = counter(registry, 'livedrill_publisher_keyframe_requests_total', 'Keyframe requests (PLI, FIR) reaching the publisher', ['type']);
    this.#publisherFrames = counter(registry, 'livedrill_publisher_frames_encoded_total', 'Video frames the publisher encoded', []);
    // Series exist from the first scrape at 0, so increase() sees the first event of a run.
    for (const k of ['browser', 'synthetic']) {
      for (const c of [this.#freezes, this.#frozenSeconds, this.#frames, this.#framesDecoded, this.#framesDropped, this.#audioSamples, this.#audioConcealed, this.#nacks, this.#disconnects, this.#joinFailures, this.#neverShown]) {
        c.inc({ kind: k }, 0);
      }
      for (const media of ['audio', 'video']) {
        this.#packetsLost.inc({ kind: k, media }, 0);
        this.#packetsReceived.inc({ kind: k, media }, 0);
      }
      for (const outcome of ['success', 'failure']) this.#reconnects.inc({ kind: k, outcome }, 0);
      for (const h of [this.#joinSeconds, this.#freezeSeconds, this.#recoverySeconds, this.#avOffset, this.#receiveLatency, this.#pathLatency]) h.zero({ kind: k });
      for (const media of ['audio', 'video']) this.#latency.zero({ kind: k, media });
    }
  }

  attach(viewer: MeasuredViewer): void {
    this.#viewers.add(viewer);
    const kind = { kind: viewer.kind };
    // Observed once per frame timed (prom-client takes no counts): its child, looked up once.
    const pathLatency = this.#pathLatency.labels(kind);
    const o = viewer.qoe.observer;
    o.on('joined', (s) => this.#joinSeconds.observe(kind, s));
    o.on('freeze', (f) => {
      if (!f.w3c) return;
      const seconds = (f.end - f.start) / 1000;
      this.#freezes.inc(kind);
      this.#frozenSeconds.inc(kind, seconds);
      this.#freezeSeconds.observe(kind, seconds);
    });
    o.on('sample', (_t, d, stamps, path) => {
      this.#neverShown.inc(kind, d.framesNeverShown);
      for (const ms of stamps?.videoLatencyMs ?? []) this.#latency.observe({ ...kind, media: 'video' }, ms / 1000);
      for (const ms of stamps?.audioLatencyMs ?? []) this.#latency.observe({ ...kind, media: 'audio' }, ms / 1000);
      for (const ms of stamps?.receiveLatencyMs ?? []) this.#receiveLatency.observe(kind, ms / 1000);
      for (const ms of stamps?.avOffsetMs ?? []) this.#avOffset.observe(kind, ms / 1000);
      for (const [ms, frames] of path ?? []) for (let i = 0; i < frames; i++) pathLatency.observe(ms / 1000);
      this.#frames.inc(kind, d.framesRendered);
      this.#framesDecoded.inc(kind, d.framesDecoded);
      this.#framesDropped.inc(kind, d.framesDropped);
      this.#audioSamples.inc(kind, d.audioSamplesReceived);
      this.#audioConcealed.inc(kind, d.audioConcealedSamples / AUDIO_SAMPLE_RATE);
      this.#packetsLost.inc({ ...kind, media: 'video' }, d.videoPacketsLost);
      this.#packetsLost.inc({ ...kind, media: 'audio' }, d.audioPacketsLost);
      this.#packetsReceived.inc({ ...kind, media: 'video' }, d.videoPacketsReceived);
      this.#packetsReceived.inc({ ...kind, media: 'audio' }, d.audioPacketsReceived);
      this.#nacks.inc(kind, d.nackCount);
    });
    o.on('disconnected', () => this.#disconnects.inc(kind));
    o.on('recovered', (_t, down) => this.#recoverySeconds.observe(kind, down));
  }

  /** Reconnect and join outcomes, from the page's own reports. */
  onViewerReport(kind: MeasuredViewer['kind'], report: PageReport): void {
    if (report.type !== 'reconnectAttempt') return;
    this.#reconnects.inc({ kind, outcome: report.outcome });
    if (report.outcome === 'failure' && report.mode === 'join') this.#joinFailures.inc({ kind });
  }

  /** Publisher samples carry cumulative counters; the growth goes to the counters. */
  onPublisherReport(report: PageReport): void {
    if (report.type !== 'publisherSample') return;
    const now = {
      bytes: { video: report.video?.bytesSent ?? 0, audio: report.audio?.bytesSent ?? 0 },
      pli: report.video?.pliCount ?? 0,
      fir: report.video?.firCount ?? 0,
      frames: report.video?.framesEncoded ?? 0,
    };
    const last = this.#lastPublisher ?? { bytes: { video: 0, audio: 0 }, pli: 0, fir: 0, frames: 0 };
    for (const media of ['video', 'audio'] as const) this.#publisherBytes.inc({ media }, Math.max(0, now.bytes[media] - last.bytes[media]));
    this.#keyframeRequests.inc({ type: 'pli' }, Math.max(0, now.pli - last.pli));
    this.#keyframeRequests.inc({ type: 'fir' }, Math.max(0, now.fir - last.fir));
    this.#publisherFrames.inc(Math.max(0, now.frames - last.frames));
    this.#lastPublisher = now;
  }
}

function counter(registry: Registry, name: string, help: string, labelNames: string[]): Counter {
  return new Counter({ name, help, labelNames, registers: [registry] });
}
