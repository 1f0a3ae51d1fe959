// Projects: unit (no broker, seconds), integration (a real Kafka broker started by integration/global-setup),
// chaos (integration/chaos/, its own cluster; not part of npm test) and conformance.
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
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/integration/kafkajs-conformance/',
        '<rootDir>/integration/chaos/',
      ],
      globalSetup: '<rootDir>/integration/global-setup.ts',
      globalTeardown: '<rootDir>/integration/global-teardown.ts',
    },
    {
      // the chaos suite (integration/chaos/): brokers, members and processors killed; a cluster of its own
      ...common,
      displayName: 'chaos',
      testMatch: ['<rootDir>/integration/chaos/**/*.test.ts'],
    },
    {
      // KafkaJS 2.2.4's integration specs, re-encoded against a 3-node cluster with SSL, SASL and ACLs
      ...common,
      displayName: 'conformance',
      testMatch: ['<rootDir>/integration/kafkajs-conformance/**/*.test.ts'],
      globalSetup: '<rootDir>/integration/kafkajs-conformance/global-setup.ts',
      globalTeardown: '<rootDir>/integration/kafkajs-conformance/global-teardown.ts',
    },
  ],
}
