import type { RunSummary } from '../run/summary.js';
import type { RunProgress } from '../run/Run.js';

const fixed = (n: number | null | undefined, digits = 2): string => (n === null || n === undefined ? '-' : n.toFixed(digits));

export function formatProgress(p: RunProgress): string {
  const self = p.self
    ? `  cpu ${(p.self.machineBusy * 100).toFixed(0)}%  lag ${p.self.eventLoopLagMaxMs.toFixed(0)}ms`
    : '';
  return (
    `${(p.elapsedMs / 1000).toFixed(0)}s/${(p.durationMs / 1000).toFixed(0)}s  ` +
    `viewers ${p.joined}/${p.viewers} joined, ${p.connected} connected  fps ${p.fps.toFixed(1)}  ` +
    `freezes ${p.freezes} (${p.freezeSeconds.toFixed(1)}s)  audio concealed ${p.audioConcealedSeconds.toFixed(1)}s${self}`
  );
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
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
      ['viewer', 'join s', 'fps', 'freezes', 'freeze s', 'freeze ratio', 'audio samples', 'concealed s', 'disconnects'],
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
      ]),
    ),
  );
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
