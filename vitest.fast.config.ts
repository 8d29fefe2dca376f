// The fast tests: the memory manager without a CPU (test/mm). They run in
// milliseconds, so mutation testing (stryker.config.json) runs them for every mutant.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/mm/**/*.test.ts'],
  },
});
