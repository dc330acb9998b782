import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Same alias as the renderer's, so renderer-safe modules can be unit-tested from test/unit.
  resolve: { alias: { '@shared': path.resolve(import.meta.dirname, 'electron/shared') } },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only add contention (ffmpeg and ORT already use threads).
    maxWorkers: 2,
    reporters: ['default'],
  },
});
