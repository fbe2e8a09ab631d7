/**
 * Whether the test machine can be trusted: the run's own verdict from
 * summary.json, else judged again from the journal's self-watch samples.
 */
import type { RunSummary } from '../run/summary.js';
import { judgeReliability, noiseSpans, type NoiseSpan, type Reliability, type SelfSample } from '../probes/SelfWatch.js';
import type { RunRecord } from '../journal/records.js';

export interface ReliabilityEvidence {
  status: 'reliable' | 'unreliable' | 'unknown';
  statement: string;
  reasons: string[];
  source: 'summary.json' | 'journal' | 'none';
  details: Reliability | null;
}

function recordedSelfSamples(rec: RunRecord): SelfSample[] {
  return rec.selfSamples.map((e) => e as unknown as SelfSample);
}

/** The seconds the harness flagged itself in, as the run judged them. */
export function recordedNoise(rec: RunRecord): NoiseSpan[] {
  return noiseSpans(recordedSelfSamples(rec));
}

export function reliabilityEvidence(rec: RunRecord, summary: RunSummary | null): ReliabilityEvidence {
  let details: Reliability | null = summary?.reliability ?? null;
  let source: ReliabilityEvidence['source'] = details ? 'summary.json' : 'none';
  if (!details && rec.selfSamples.length > 0) {
    const freezes = rec.viewers.flatMap((v) => [...v.w3cFreezes, ...v.fixedFreezes]);
    details = judgeReliability(recordedSelfSamples(rec), rec.steadyAt ?? rec.start, freezes);
    source = 'journal';
  }
  if (!details) {
    return {
      status: 'unknown',
      statement: 'UNKNOWN: the record has no self-watch samples, so whether the test machine itself was saturated cannot be judged.',
      reasons: [],
      source,
      details: null,
    };
  }
  const from = source === 'journal' ? ' (judged from the journal\'s self.sample entries: summary.json is missing)' : '';
  return details.reliable
    ? {
        status: 'reliable',
        statement: `RELIABLE: the test machine was not saturated during the broadcast, so what was measured is the system under test's doing${from}.`,
        reasons: [],
        source,
        details,
      }
    : {
        status: 'unreliable',
        statement: `UNRELIABLE: the test machine was overloaded during the run; some freezes may be the harness's own, not the vendor's${from}. Why: ${details.reasons.join('; ')}.`,
        reasons: details.reasons,
        source,
        details,
      };
}
