import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Backends run real models; the machine has 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
