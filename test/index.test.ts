// The package's KafkaJS surface (issue 3): every name KafkaJS exports exists under the same name,
// and its errors carry a stable code, retriable and cause.

import * as kafkit from '../src/index.js'

/** KafkaJS 2.2.4's index.js exports; its errors (spread into them) are listed below. */
const KAFKAJS_EXPORTS = [
  'Kafka',
  'PartitionAssigners',
  'AssignerProtocol',
  'Partitioners',
  'logLevel',
  'CompressionTypes',
  'CompressionCodecs',
  'ConfigResourceTypes',
  'AclResourceTypes',
  'AclOperationTypes',
  'AclPermissionTypes',
  'ResourcePatternTypes',
  'ConfigSource',
]

const KAFKAJS_ERRORS = [
  'KafkaJSError',
  'KafkaJSNonRetriableError',
  'KafkaJSPartialMessageError',
  'KafkaJSBrokerNotFound',
  'KafkaJSProtocolError',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSSASLAuthenticationError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSOffsetOutOfRange',
  'KafkaJSMemberIdRequired',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSNotImplemented',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSDeleteGroupsError',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
  'KafkaJSServerDoesNotSupportApiKey',
  'KafkaJSUnsupportedMagicByteInMessageSet',
  'KafkaJSDeleteTopicRecordsError',
  'KafkaJSInvariantViolation',
  'KafkaJSInvalidVarIntError',
  'KafkaJSInvalidLongError',
  'KafkaJSCreateTopicError',
  'KafkaJSAggregateError',
  'KafkaJSFetcherRebalanceError',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSAlterPartitionReassignmentsError',
]

describe('the KafkaJS surface', () => {
  test.each(KAFKAJS_EXPORTS)('%s is exported', (name) => {
    expect(kafkit).toHaveProperty(name)
    expect((kafkit as Record<string, unknown>)[name]).toBeDefined()
  })

  test.each(KAFKAJS_ERRORS)('%s is an error class deriving from KafkaJSError where KafkaJS derives it so', (name) => {
    const ErrorClass = (kafkit as Record<string, unknown>)[name]
    expect(typeof ErrorClass).toBe('function')
    // KafkaJS's KafkaJSAggregateError and KafkaJSFetcherRebalanceError are plain Errors
    const plain = name === 'KafkaJSAggregateError' || name === 'KafkaJSFetcherRebalanceError'
    expect((ErrorClass as { prototype: unknown }).prototype instanceof kafkit.KafkaJSError).toBe(
      !plain && name !== 'KafkaJSError',
    )
    expect((ErrorClass as { prototype: unknown }).prototype instanceof Error).toBe(true)
  })

  test('Partitioners and CompressionTypes carry KafkaJS names', () => {
    expect(Object.keys(kafkit.Partitioners)).toEqual(
      expect.arrayContaining(['DefaultPartitioner', 'LegacyPartitioner', 'JavaCompatiblePartitioner']),
    )
    expect(kafkit.CompressionTypes).toMatchObject({ None: 0, GZIP: 1, Snappy: 2, LZ4: 3, ZSTD: 4 })
    expect(kafkit.logLevel).toMatchObject({ NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 })
  })

  test('errors carry a stable kafkitCode, retriable and cause', () => {
    const cause = new Error('socket closed')
    const error = new kafkit.KafkaJSConnectionError('Connection error', { broker: 'b:9092', cause })
    expect(error).toMatchObject({ name: 'KafkaJSConnectionError', retriable: true, cause, broker: 'b:9092' })
    // `code` is KafkaJS's (the socket error's code; this cause has none), kafkit's own is kafkitCode
    expect(error.code).toBeUndefined()
    expect(error.kafkitCode).toBe('ERR_CONNECTION')
    const retries = new kafkit.KafkaJSNumberOfRetriesExceeded(error, { retryCount: 3, retryTime: 100 })
    expect(retries).toMatchObject({ name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, retryCount: 3 })
    expect(retries.cause).toBe(error)
    expect(new kafkit.KafkaJSLockTimeout('lock').retriable).toBe(false)
  })
})
