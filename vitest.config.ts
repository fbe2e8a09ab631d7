import { defineConfig } from 'vitest/config';

/**
 * Tests that need nothing running (no SFU, no browser): `npm run test:unit`.
 * Everything else starts real parts (mediasoup, Chromium, Prometheus, the CLI).
 */
const UNIT = [
  'test/unit/**/*.test.ts',
  'test/report/evidence.test.ts',
  'test/drill/{detectors,schedule,console-api}.test.ts',
  'test/dashboards/grafana.test.ts',
  'test/docker/*.test.ts',
  'test/hardening/{hostileJournals,scenarioFuzz}.test.ts',
  'test/vendors/{scorecard,timeOfDay}.test.ts',
];

export default defineConfig({
  test: {
    reporters: ['default', './test/countReporter.ts'],
    // End-to-end tests run real browsers and SFU workers: one file at a time on 2 cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'], exclude: UNIT } },
    ],
  },
});
