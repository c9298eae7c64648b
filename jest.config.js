/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // isolatedModules in tsconfig makes ts-jest transpile only; `npm run typecheck` does the type check.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Two cores: more workers than that only adds start-up cost.
  maxWorkers: 2,
};
