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
  other: Record<string, string>;
}

export function versionsEvidence(rec: RunRecord, summary: RunSummary | null): VersionsEvidence {
  const { browser, mediasoup, mediasoupClient, node, livedrill, ...other } = rec.versions;
  return {
    browser: browser ?? null,
    mediasoup: mediasoup ?? null,
    mediasoupClient: mediasoupClient ?? null,
    node: node ?? null,
    livedrill: livedrill ?? null,
    source: summary?.versions
      ? 'summary.json versions'
      : 'journal run.start versions (the browser version is only known once the run ends, in summary.json)',
    other,
  };
}
