import { Counter, Gauge, type Registry } from 'prom-client';
import { workerCpuSeconds } from '../mediasoup/index.js';
import type { Sfu } from '../sfu/Sfu.js';
import type { SignalingServer } from '../signaling/SignalingServer.js';

/**
 * SFU figures for Prometheus. Counts are read from the SFU at scrape time;
 * byte and CPU counters add the growth since the previous scrape, so they
 * stay monotonic when transports close or a worker is replaced.
 */
interface WorkerLoad {
  rooms: number;
  transports: number;
  producers: Record<string, number>;
  consumers: Record<string, number>;
}

export function registerSfuMetrics(registry: Registry, sfu: Sfu, signaling: SignalingServer): void {
  const registers = [registry];
  const perWorker = (): Map<number, WorkerLoad> => {
    const out = new Map<number, WorkerLoad>();
    for (const { index } of sfu.workers) out.set(index, { rooms: 0, transports: 0, producers: { audio: 0, video: 0 }, consumers: { audio: 0, video: 0 } });
    for (const room of sfu.rooms.values()) {
      for (const index of room.routers.keys()) {
        const w = out.get(index);
        if (w) w.rooms++;
      }
      for (const peer of room.peers.values()) {
        const w = out.get(peer.workerIndex);
        if (!w) continue;
        w.transports += peer.transports.size;
        for (const p of peer.producers.values()) w.producers[p.kind]++;
        for (const c of peer.consumers.values()) w.consumers[c.kind]++;
      }
    }
    return out;
  };

  new Gauge({
    name: 'livedrill_sfu_workers',
    help: 'mediasoup worker processes running',
    registers,
    collect() {
      this.set(sfu.workers.filter((w) => !w.worker.closed).length);
    },
  });
  const restarts = new Counter({
    name: 'livedrill_sfu_worker_restarts_total',
    help: 'mediasoup workers that died and were replaced',
    labelNames: ['worker'],
    registers,
  });
  // At 0 from the start, so increase() sees the first restart.
  for (const { index } of sfu.workers) restarts.inc({ worker: String(index) }, 0);
  sfu.observer.on('workerdied', (index) => restarts.inc({ worker: String(index) }));

  new Gauge({
    name: 'livedrill_sfu_rooms',
    help: 'Rooms (broadcasts) with a router on each worker',
    labelNames: ['worker'],
    registers,
    collect() {
      this.reset();
      for (const [index, w] of perWorker()) this.set({ worker: String(index) }, w.rooms);
    },
  });
  new Gauge({
    name: 'livedrill_sfu_transports',
    help: 'Transports open (WebRTC and plain RTP), per worker',
    labelNames: ['worker'],
    registers,
    collect() {
      this.reset();
      for (const [index, w] of perWorker()) this.set({ worker: String(index) }, w.transports);
    },
  });
  for (const role of ['producers', 'consumers'] as const) {
    new Gauge({
      name: `livedrill_sfu_${role}`,
      help: `mediasoup ${role} open, per worker and media kind`,
      labelNames: ['worker', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const [index, w] of perWorker()) {
          for (const [kind, n] of Object.entries(w[role])) this.set({ worker: String(index), kind }, n);
        }
      },
    });
  }

  const lastCpu = new Map<number, number>();
  new Counter({
    name: 'livedrill_sfu_worker_cpu_seconds_total',
    help: 'CPU time used by mediasoup workers (user + system)',
    labelNames: ['worker'],
    registers,
    async collect() {
      for (const { index, worker } of sfu.workers) {
        if (worker.closed) continue;
        const key = worker.pid;
        const now = await workerCpuSeconds(worker).catch(() => undefined);
        if (now === undefined) continue;
        this.inc({ worker: String(index) }, Math.max(0, now - (lastCpu.get(key) ?? 0)));
        lastCpu.set(key, now);
      }
    },
  });

  // Both byte counters come from one getStats() pass per scrape: prom-client collects
  // metrics concurrently, so each awaits the same poll rather than relying on order.
  const lastBytes = new Map<string, { rx: number; tx: number }>();
  let poll: { at: number; done: Promise<void> } | undefined;
  const pollTransports = (): Promise<void> => {
    if (poll && Date.now() - poll.at < 250) return poll.done;
    poll = { at: Date.now(), done: readTransportBytes() };
    return poll.done;
  };
  const readTransportBytes = async (): Promise<void> => {
    const seen = new Set<string>();
    for (const room of sfu.rooms.values()) {
      for (const peer of room.peers.values()) {
        for (const transport of peer.transports.values()) {
          const [stats] = await transport.getStats().catch(() => []);
          if (!stats) continue;
          seen.add(transport.id);
          const prev = lastBytes.get(transport.id) ?? { rx: 0, tx: 0 };
          const labels = { worker: String(peer.workerIndex) };
          received.inc(labels, Math.max(0, stats.bytesReceived - prev.rx));
          sent.inc(labels, Math.max(0, stats.bytesSent - prev.tx));
          lastBytes.set(transport.id, { rx: stats.bytesReceived, tx: stats.bytesSent });
        }
      }
    }
    for (const id of lastBytes.keys()) if (!seen.has(id)) lastBytes.delete(id);
  };
  const received: Counter = new Counter({
    name: 'livedrill_sfu_received_bytes_total',
    help: 'Bytes received by the SFU on its transports, per worker',
    labelNames: ['worker'],
    registers,
    collect: pollTransports,
  });
  const sent: Counter = new Counter({
    name: 'livedrill_sfu_sent_bytes_total',
    help: 'Bytes sent by the SFU on its transports, per worker',
    labelNames: ['worker'],
    registers,
    collect: pollTransports,
  });

  new Gauge({
    name: 'livedrill_signaling_connections',
    help: 'Open signaling WebSocket connections',
    registers,
    collect() {
      this.set(signaling.connections);
    },
  });
  const errors = new Counter({
    name: 'livedrill_signaling_errors_total',
    help: 'Signaling requests answered with an error, by error code',
    labelNames: ['code'],
    registers,
  });
  signaling.observer.on('requesterror', (code) => errors.inc({ code }));
}
