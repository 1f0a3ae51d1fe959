// Two projects: unit (no broker, seconds) and integration (a real Kafka broker started by integration/global-setup).
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
}
const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' }
const common = { testEnvironment: 'node', transform, moduleNameMapper, moduleFileExtensions: ['ts', 'js', 'json'] }

module.exports = {
  // integration tests wait for real brokers; jest reads testTimeout only at the top level, not per project
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/integration/global-setup.ts',
      globalTeardown: '<rootDir>/integration/global-teardown.ts',
    },
  ],
}
