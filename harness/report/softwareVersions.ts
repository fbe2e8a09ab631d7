/** The software under test and of the harness, as the record names it. */
import type { RunSummary } from '../run/summary.js';
import type { RunRecord } from '../journal/records.js';

export interface VersionsEvidence {
  browser: string | null;
  mediasoup: string | null;
  mediasoupClient: string | null;
  node: string | null;
  livedrill: string | null;
  source: string;
  /** A team's own app under test (scenario `app:`), when it was: its name, its SDK's version as its pages exposed it, livedrill's TURN server. */
  app: { name: string; sdk: string | null; turn: string | null } | null;
  other: Record<string, string>;
}

/** What forcing the app's media through TURN means for the figures: said in every app run's report. */
export const APP_MEDIA_PATH_NOTE =
  "Every peer connection of the app's pages was steered through livedrill's TURN server (iceTransportPolicy 'relay' forced by livedrill's probe), " +
  'so that network faults and disconnections reach one page at a time; the ICE path is therefore not the one the SDK would choose by itself ' +
  "(no direct or host candidates), and the TURN hop on loopback adds its own (small) delay. The pages' HTTP and WebSocket signaling went through livedrill's forward proxy.";

export function versionsEvidence(rec: RunRecord, summary: RunSummary | null): VersionsEvidence {
  const { browser, mediasoup, mediasoupClient, node, livedrill, app, appSdk, turn, ...other } = rec.versions;
  return {
    browser: browser ?? null,
    mediasoup: mediasoup ?? null,
    mediasoupClient: mediasoupClient ?? null,
    node: node ?? null,
    livedrill: livedrill ?? null,
    source: summary?.versions
      ? 'summary.json versions'
      : 'journal run.start versions (the browser version is only known once the run ends, in summary.json)',
    app: app ? { name: app, sdk: appSdk ?? null, turn: turn ?? null } : null,
    other,
  };
}
