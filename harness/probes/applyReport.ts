import type { PageReport } from '../page/reports.js';
import type { ViewerQoe } from './ViewerQoe.js';

/**
 * What a viewer's session reports mean for its QoE, for every viewer kind:
 * browser pages report these, and synthetic viewers run the same session code.
 */
export function applyReport(qoe: ViewerQoe, report: PageReport): void {
  switch (report.type) {
    case 'joining':
      qoe.onJoinRequested(report.t);
      qoe.onNewReceiver();
      break;
    case 'viewerSample':
      for (const t of report.frames) qoe.onFrame(t);
      qoe.onStats(report.t, report.video, report.audio, report.frameCount ?? report.frames.length, report.stamps, report.pathLatencyMs);
      break;
    case 'connectionState':
      // The earliest sign that media stopped; a later recovery ends it.
      if (report.state === 'failed' || report.state === 'disconnected' || report.state === 'closed') qoe.onDisconnected(report.t);
      break;
    case 'roomClosed':
      qoe.onDisconnected(report.t, true);
      break;
    case 'notJoined':
    case 'gaveUp':
      // Nothing to wait for: the run goes on without it.
      qoe.gaveUpAt ??= report.t;
      break;
    case 'sessionLost':
      // Found out late (a resume refused after signaling dropped): the session was lost at some
      // point since `since`, and no earlier than the last media shown.
      qoe.onDisconnected(Math.max(report.since, qoe.lastMediaAt ?? report.since), true);
      break;
  }
}
