// The fast tests: the memory manager without a CPU (test/mm). They run in
// milliseconds, so mutation testing (stryker.config.json) runs them for every mutant.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/mm/**/*.test.ts'],
    // Coverage instrumentation makes the randomized VAD-tree test several times slower.
    testTimeout: 120_000,
  },
});
