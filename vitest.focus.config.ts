// The fast tests narrowed to the globs in FOCUS_TESTS (comma-separated), for
// mutation runs on one module against its own unit tests (README, Mutation
// testing): every mutant then reruns those tests only, not every fast test
// that happens to reach the module. Without FOCUS_TESTS: all fast tests.
import { defineConfig } from 'vitest/config';
import fast from './vitest.fast.config.js';

export default defineConfig({ test: { ...fast.test, include: (process.env.FOCUS_TESTS ?? 'test/mm/**/*.test.ts').split(',') } });
