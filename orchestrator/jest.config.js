/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // isolatedModules in tsconfig makes ts-jest transpile only; `npm run typecheck` does the type check.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Each file starts its own redis-server, stub services and orchestrator processes, and the fault
  // tests measure leases in seconds: one file at a time keeps a shared 2-core machine from
  // starving them.
  maxWorkers: 1,
  testTimeout: 120_000,
};
