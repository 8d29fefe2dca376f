// The fast tests: the memory manager without a CPU (test/mm). They run in
// milliseconds, so mutation testing (stryker.config.json) runs them for every mutant.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/mm/**/*.test.ts'],
    // Coverage instrumentation makes the randomized VAD-tree test several times slower.
    testTimeout: 120_000,
    // Stryker reruns the randomized VAD-tree test for each of the tree's ~300
    // mutants: 400 steps here (unit tests in test/mm/vad-tree*.test.ts pin each case),
    // 5,000 in the full suite (vitest.config.ts leaves this unset).
    env: { MMSCOPE_VAD_RANDOM_STEPS: '400' },
  },
});
