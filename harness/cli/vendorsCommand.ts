/**
 * `livedrill vendors DIR… [--vendor NAME=DIR…]`: the vendor scorecard of a
 * trial, from its drill and run directories (harness/vendors/), written as
 * scorecard.json, scorecard.md and scorecard.html.
 */
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { RunDirError } from '../journal/Journal.js';
import { loadSlaProfile, SlaProfileError } from '../drill/slaProfile.js';
import { checkTimeZone, DEFAULT_NIGHT, parseNight, type NightWindow } from '../drill/timeOfDay.js';
import { VendorsError } from '../vendors/errors.js';
import { loadTrial } from '../vendors/load.js';
import { buildScorecard } from '../vendors/scorecard.js';
import { writeScorecard } from '../vendors/write.js';

const YARDSTICK = fileURLToPath(new URL('../../scenarios/sla/urgent-30m-24x7.yaml', import.meta.url));

interface VendorsOptions {
  vendor: Array<{ vendor: string; dir: string }>;
  out?: string;
  yardstick: string;
  timeZone?: string;
  night: NightWindow;
  minSample: number;
  allowMixedVersions?: boolean;
}

function vendorDir(value: string, previous: VendorsOptions['vendor']): VendorsOptions['vendor'] {
  const at = value.indexOf('=');
  if (at < 1 || at === value.length - 1) throw new InvalidArgumentError(`expected NAME=DIR (the vendor the runs in DIR belong to), got "${value}"`);
  return [...previous, { vendor: value.slice(0, at).trim(), dir: value.slice(at + 1) }];
}

function argument<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

function minSample(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a whole number of at least 1, got "${value}"`);
  return n;
}

export function registerVendorsCommand(program: Command): void {
  program
    .command('vendors')
    .description("compare vendors side by side from a trial's drill and run directories: SDK under faults, response, problem solving, service")
    .argument('[dirs...]', 'drill and run directories, or folders of them (a drill belongs to the vendor its journal names)')
    .option('--vendor <name=dir>', 'the vendor the runs in DIR (a run directory or a folder of them) belong to; repeat per vendor', vendorDir, [])
    .option('--out <dir>', 'where to write scorecard.json, .md and .html (default: runs/scorecard-<time>)')
    .option('--yardstick <file>', 'the SLA profile every vendor is also judged against', YARDSTICK)
    .addOption(new Option('--time-zone <zone>', "the time zone of nights (default: each plan's business-hours zone, else UTC)").argParser(argument(checkTimeZone)))
    .addOption(new Option('--night <HH:MM-HH:MM>', 'when night is').default(DEFAULT_NIGHT, '22:00-07:00').argParser(argument(parseNight)))
    .addOption(new Option('--min-sample <n>', 'tickets or runs each vendor needs behind a figure for it to be ranked').default(3).argParser(argument(minSample)))
    .option('--allow-mixed-versions', 'compare runs of different livedrill versions anyway (said at the top of the scorecard)')
    .action(async (dirs: string[], opts: VendorsOptions) => {
      try {
        await vendors(dirs, opts);
      } catch (error) {
        if (!(error instanceof VendorsError || error instanceof RunDirError || error instanceof SlaProfileError)) throw error;
        console.error(`livedrill vendors: ${error.message}`);
        process.exitCode = 2;
      }
    });
}

async function vendors(dirs: string[], opts: VendorsOptions): Promise<void> {
  const yardstick = await loadSlaProfile(opts.yardstick);
  const localTime = { ...(opts.timeZone ? { timeZone: opts.timeZone } : {}), night: opts.night };
  const runs = await loadTrial({ dirs, vendors: opts.vendor, localTime });
  const outDir = opts.out ?? join('runs', `scorecard-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const card = buildScorecard(runs, {
    minSample: opts.minSample,
    yardstick: { profile: yardstick, file: basename(opts.yardstick) },
    timeZone: opts.timeZone ?? null,
    night: opts.night,
    allowMixedVersions: opts.allowMixedVersions ?? false,
    outDir,
  });
  const written = writeScorecard(card, outDir);
  for (const v of card.vendors) console.log(`${v.name}: ${v.statement}`);
  for (const w of card.fairness.warnings) console.log(`WARNING: ${w}`);
  for (const file of [written.html, written.markdown, written.json]) console.log(`wrote ${file}`);
}
