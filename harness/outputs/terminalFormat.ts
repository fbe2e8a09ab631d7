import type { RunSummary } from '../run/summary.js';
import type { RunProgress } from '../run/lifecycle.js';
import { maxOf, median } from '../../common/stats.js';

const kbps = (bps: number | null): number | null => (bps === null ? null : bps / 1000);
const fixed = (n: number | null | undefined, digits = 2): string => (n === null || n === undefined ? '-' : n.toFixed(digits));

export function formatProgress(p: RunProgress): string {
  const self = p.self
    ? `  cpu ${(p.self.machineBusy * 100).toFixed(0)}%  lag ${p.self.eventLoopLagMaxMs.toFixed(0)}ms`
    : '';
  return (
    `${(p.elapsedMs / 1000).toFixed(0)}s/${(p.durationMs / 1000).toFixed(0)}s  ` +
    `viewers ${p.joined}/${p.viewers} joined, ${p.connected} connected  fps ${p.fps.toFixed(1)}  ` +
    `freezes ${p.freezes} (${p.freezeSeconds.toFixed(1)}s)  audio concealed ${p.audioConcealedSeconds.toFixed(1)}s` +
    `${p.latencyMs.video === null ? '' : `  latency ${p.latencyMs.video.toFixed(0)}ms`}${p.latencyMs.path === null ? '' : `  path ${p.latencyMs.path.toFixed(0)}ms`}` +
    `${p.activeFaults > 0 ? `  FAULTS ACTIVE ${p.activeFaults}` : ''}${self}`
  );
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => maxOf([h.length, ...rows.map((r) => r[i].length)]));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatSummary(s: RunSummary, summaryFile: string): string {
  const out: string[] = [];
  out.push(`run ${s.runId}: ${s.durationSeconds.toFixed(1)} s${s.interrupted ? ' (interrupted)' : ''}`);
  if (s.error) out.push(`error: ${s.error}`);
  if (s.publisher) out.push(`publisher: ${s.publisher.fps.toFixed(1)} fps encoded, ${s.publisher.pliCount} PLI, ${s.publisher.firCount} FIR`);
  out.push('');
  out.push(
    table(
      ['viewer', 'join s', 'fps', 'freezes', 'freeze s', 'freeze ratio', 'audio samples', 'concealed s', 'disconnects', 'latency p95 ms'],
      s.viewers.map((v) => [
        v.id,
        fixed(v.joinSeconds),
        fixed(v.fps, 1),
        String(v.freezes.w3c.count),
        fixed(v.freezes.w3c.seconds),
        fixed(v.freezeRatio, 3),
        String(v.audio.samplesReceived),
        fixed(v.audio.concealedSeconds),
        String(v.disconnects),
        // Glass-to-glass for browsers of the stamped source, network path for synthetic viewers (marked).
        v.latency?.video ? (v.latency.video.p95 * 1000).toFixed(0) : v.pathLatency ? `${(v.pathLatency.p95 * 1000).toFixed(0)} (path)` : '-',
      ]),
    ),
  );
  if (s.faults.length > 0) {
    out.push('');
    out.push(
      table(
        ['fault', 'at s', 'len s', 'targets', 'affected', 'overlap/suspect', 'freeze s (med)', 'concealed s (med)', 'loss (med)', 'disconnects', 'recovery p95 s', 'unrecovered', 'keyframe reqs', 'pub kbps before/during'],
        s.faults.map((f) => {
          const targeted = f.viewers.filter((v) => v.targeted);
          return [
            `${f.faultId}`,
            fixed((f.start - Date.parse(s.startedAt)) / 1000, 1),
            fixed((f.end - f.start) / 1000, 1),
            String(f.targets.length),
            `${f.affected.length}${f.affectedUntargeted.length ? ` (+${f.affectedUntargeted.length} unexplained outside)` : ''}`,
            `${f.overlaps.length}/${f.suspect.length}`,
            fixed(median(targeted.map((v) => v.freezeSeconds), null)),
            fixed(median(targeted.map((v) => v.audioConcealedSeconds), null)),
            fixed(median(targeted.flatMap((v) => (v.packetLossRatio === null ? [] : [v.packetLossRatio])), null), 3),
            String(f.viewers.reduce((a, v) => a + v.disconnects, 0)),
            fixed(f.recoverySeconds.p95),
            String(f.unrecovered.length),
            String(f.keyframeRequests),
            `${fixed(kbps(f.publisherBitrateBps.before), 0)}/${fixed(kbps(f.publisherBitrateBps.during), 0)}`,
          ];
        }),
      ),
    );
  }
  if (s.relay) {
    out.push('');
    out.push(`network relay: ${s.relay.relayedPeers} peer(s) relayed, ${s.relay.packets} packets, ${s.relay.busySeconds.toFixed(2)} s of the harness's event loop`);
  }
  const { unexplained, suspect } = s.effects;
  if (unexplained.length + suspect.length > 0) {
    out.push('');
    out.push(`effects counted for no fault: ${unexplained.length} unexplained, ${suspect.length} suspect (began while the harness flagged itself)`);
  }
  if (s.thresholds.length > 0) {
    out.push('');
    out.push(
      table(
        ['threshold', 'measured', 'result'],
        s.thresholds.map((t) => [`${t.metric}: ${t.condition}`, fixed(t.measured, 3), t.pass ? 'pass' : 'FAIL']),
      ),
    );
  }
  out.push('');
  if (!s.reliability.reliable) out.push(`UNRELIABLE: ${s.reliability.reasons.join('; ')}`);
  out.push(`${s.pass ? 'PASS' : 'FAIL'}  (summary: ${summaryFile})`);
  return out.join('\n');
}
