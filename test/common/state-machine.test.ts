import type { Logger } from '../../src/common/logger.js'
import { StateMachine, type TransitionTable } from '../../src/common/state-machine.js'
import { KafkaJSInvariantViolation } from '../../src/errors.js'

type Light = 'red' | 'green' | 'yellow'
const table: TransitionTable<Light> = { red: ['green'], green: ['yellow'], yellow: ['red'] }

test('legal moves change the state and are logged with their reason', () => {
  const logged: unknown[] = []
  const logger: Logger = { error() {}, warn() {}, info() {}, debug: (m, extra) => logged.push([m, extra]) }
  const light = new StateMachine<Light>('light', 'red', table, logger)
  light.transition('green', 'timer')
  expect(light.state).toBe('green')
  expect(light.can('red')).toBe(false)
  expect(logged).toEqual([['light: red -> green', { reason: 'timer' }]])
})

test('an illegal move throws, naming both states and the reason, and leaves the state alone', () => {
  const logger: Logger = { error() {}, warn() {}, info() {}, debug() {} }
  const light = new StateMachine<Light>('light', 'red', table, logger)
  expect(() => light.transition('yellow', 'skip')).toThrow(KafkaJSInvariantViolation)
  expect(() => light.transition('yellow', 'skip')).toThrow('light: illegal transition red -> yellow (skip)')
  expect(light.state).toBe('red')
})
