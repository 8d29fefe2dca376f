import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each machine maps a 4 GiB host reservation and loads libunicorn via koffi: keep them in processes.
    pool: 'forks',
    // Guests are bounded by instruction budgets and host commands by their own
    // limit (test/helpers/guests.ts), so these only catch a hang: on a 2-core
    // machine shared by many builds a test can take several times its usual time.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
