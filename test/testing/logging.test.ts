import { chooseLoggingBinding, log4j2Properties, log4jProperties } from '../../src/testing/logging.js'

describe('chooseLoggingBinding', () => {
  test('Kafka 4.x (log4j2, slf4j 1.7) binds with log4j-slf4j-impl at the log4j-core version', () => {
    const jars = ['kafka_2.13-4.3.1.jar', 'log4j-api-2.25.4.jar', 'log4j-core-2.25.4.jar', 'slf4j-api-1.7.36.jar']
    expect(chooseLoggingBinding(jars)).toEqual([
      { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: '2.25.4' },
    ])
  })

  test('slf4j 2.x needs log4j-slf4j2-impl', () => {
    expect(chooseLoggingBinding(['log4j-core-2.24.3.jar', 'slf4j-api-2.0.17.jar'])).toEqual([
      { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j2-impl', version: '2.24.3' },
    ])
  })

  test('Kafka 3.x without log4j2 gets reload4j at the slf4j version', () => {
    expect(chooseLoggingBinding(['kafka_2.13-3.9.1.jar', 'slf4j-api-1.7.36.jar'])).toEqual([
      { groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: '1.7.36' },
      { groupId: 'ch.qos.reload4j', artifactId: 'reload4j', version: '1.2.25' },
    ])
    expect(chooseLoggingBinding(['slf4j-api-1.7.36.jar', 'reload4j-1.2.25.jar'])).toEqual([
      { groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: '1.7.36' },
    ])
  })

  test('nothing is added when a binding came with the release', () => {
    expect(chooseLoggingBinding(['slf4j-api-1.7.36.jar', 'slf4j-reload4j-1.7.36.jar', 'reload4j-1.2.25.jar'])).toEqual(
      [],
    )
  })
})

test('both logging configurations send everything at the level to one console target', () => {
  expect(log4j2Properties('INFO', 'stdout')).toContain('appender.console.target = SYSTEM_OUT')
  expect(log4j2Properties('WARN', 'stderr')).toContain('rootLogger.level = WARN')
  expect(log4jProperties('WARN', 'stderr')).toContain('log4j.rootLogger=WARN, console')
  expect(log4jProperties('INFO', 'stdout')).toContain('log4j.appender.console.Target=System.out')
})
