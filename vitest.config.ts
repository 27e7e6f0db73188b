import { defineConfig } from 'vitest/config';
import plainSummaryReporter from './scripts/plain-summary-reporter.js';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', plainSummaryReporter],
  },
});
