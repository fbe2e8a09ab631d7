import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { mediasoupVersion } from '../../server/mediasoup/index.js';
import { describeReceivePath, receivePath } from '../synthetic/RtpReceiver.js';

const require = createRequire(import.meta.url);

/** A package's version, read from its package.json (some packages do not export that file). */
function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!dir.endsWith(`node_modules/${name}`) && dir !== dirname(dir)) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Versions of every part a measurement depends on, and how synthetic viewers receive, for the journal and evidence packs. */
export function softwareVersions(browser?: string): Record<string, string> {
  return {
    livedrill: (require('../../package.json') as { version: string }).version,
    mediasoup: mediasoupVersion,
    mediasoupClient: packageVersion('mediasoup-client'),
    node: process.version,
    syntheticReceive: describeReceivePath(receivePath()),
    ...(browser ? { browser } : {}),
  };
}
