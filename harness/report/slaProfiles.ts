/**
 * The SLA profiles a drill judged tickets against: the one its drill.start
 * entry embeds, plus any the user names with --sla. A path found in a journal
 * is never opened (a journal may come from anywhere), and the pack names
 * profiles by file name only. Keyed by vendor, as tickets name them.
 * Problems become notes, never errors, and quote no file content.
 */
import { basename } from 'node:path';
import { loadSlaProfile, parseSlaProfile, type SlaProfile } from '../drill/slaProfile.js';
import type { LoadedRun } from '../run/runDir.js';
import type { HumanTimeline, TimelineOptions } from './humanTimeline.js';

const HOW_TO_JUDGE = 'vendor response times are shown, not judged (pass --sla FILE to judge them)';

export async function loadSlaProfiles(
  run: LoadedRun,
  extraFiles: string[] = [],
): Promise<Pick<TimelineOptions, 'profiles' | 'slaProfiles' | 'slaNotes'>> {
  const start = run.entries.find((e) => e.type === 'drill.start');
  const loaded: Array<{ name: string; load: () => Promise<SlaProfile> | SlaProfile }> = [];
  const notes: string[] = [];
  if (typeof start?.slaProfileYaml === 'string') {
    const name = typeof start.slaProfile === 'string' ? basename(start.slaProfile) : 'the embedded SLA profile';
    loaded.push({ name, load: () => parseSlaProfile(start.slaProfileYaml as string, name) });
  } else if (typeof start?.slaProfile === 'string') {
    notes.push(`the drill used the SLA profile ${basename(start.slaProfile)}, which this journal does not embed (an older livedrill wrote it): ${HOW_TO_JUDGE}`);
  } else if (extraFiles.length === 0 && run.entries.some((e) => e.type === 'incident.action')) {
    notes.push(`the journal names no SLA profile (no drill.start entry with slaProfile): ${HOW_TO_JUDGE}`);
  }
  for (const file of extraFiles) loaded.push({ name: basename(file), load: () => loadSlaProfile(file) });
  const profiles: Record<string, SlaProfile> = {};
  const used: HumanTimeline['slaProfiles'] = [];
  for (const { name, load } of loaded) {
    try {
      const p = await load();
      profiles[p.vendor] = p;
      used.push({ file: name, vendor: p.vendor, plan: p.plan, source: p.source ?? p.sourceNote ?? null });
    } catch (error) {
      // The first line names the field; the lines after it quote the file, which stays out of the pack.
      notes.push(`${name}: not a usable SLA profile: ${(error as Error).message.split('\n')[0].replace(/^[^:]*: /, '')}`);
    }
  }
  return { profiles, slaProfiles: used, slaNotes: notes };
}
