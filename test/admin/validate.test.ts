import { AclOperationTypes } from '../../src/admin/enums.js'
import { enumArg, int64Arg, noDuplicates, topicNameArg } from '../../src/admin/validate.js'
import { KafkaJSInvalidArgumentError, KafkaJSNonRetriableError } from '../../src/errors.js'

describe('admin argument validation', () => {
  it.each([
    ['', /must not be empty/],
    ['.', /cannot be "." or ".."/],
    ['..', /cannot be "." or ".."/],
    ['a'.repeat(250), /longer than 249/],
    ['with space', /only ASCII letters/],
    ['ümlaut', /only ASCII letters/],
    [42, /must be a topic name/],
  ])('refuses the topic name %j with a typed error naming it', (name, message) => {
    expect(() => topicNameArg('createTopics', 'topic', name)).toThrow(KafkaJSInvalidArgumentError)
    expect(() => topicNameArg('createTopics', 'topic', name)).toThrow(message)
  })

  it('accepts every legal topic name form', () => {
    for (const name of ['a', 'A.b_c-9', 'a'.repeat(249), '__consumer_offsets']) {
      expect(topicNameArg('op', 'topic', name)).toBe(name)
    }
  })

  it('throws KafkaJSNonRetriableError subclasses, as KafkaJS validation does', () => {
    expect(() => topicNameArg('op', 'topic', '')).toThrow(KafkaJSNonRetriableError)
  })

  it('reads 64-bit offsets from strings, numbers and bigints', () => {
    expect(int64Arg('op', 'offset', '9223372036854775807')).toBe(2n ** 63n - 1n)
    expect(int64Arg('op', 'offset', -1)).toBe(-1n)
    expect(int64Arg('op', 'offset', 5n)).toBe(5n)
    expect(() => int64Arg('op', 'offset', '9223372036854775808')).toThrow(/64-bit integer/)
    expect(() => int64Arg('op', 'offset', '1.5')).toThrow(/64-bit integer/)
    expect(() => int64Arg('op', 'offset', 2 ** 60)).toThrow(/64-bit integer/)
  })

  it('names the allowed enum values', () => {
    expect(enumArg('op', 'operation', AclOperationTypes, 3)).toBe(3)
    expect(() => enumArg('op', 'operation', AclOperationTypes, 99)).toThrow(/operation must be one of UNKNOWN \(0\)/)
  })

  it('names a duplicate item', () => {
    expect(() => noDuplicates('op', 'group', ['a', 'b', 'a'], (g) => g)).toThrow(/op: group a is given more than once/)
  })
})
