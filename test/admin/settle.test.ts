import { failed, matchResults, type Outcome, settle, succeeded, valuesOrThrow } from '../../src/admin/settle.js'
import { resolveRetryOptions } from '../../src/common/backoff.js'
import { silentLogger } from '../../src/common/logger.js'
import {
  KafkaJSAdminItemError,
  KafkaJSAggregateError,
  KafkaJSError,
  KafkaJSInvalidArgumentError,
} from '../../src/errors.js'
import { ErrorCode, protocolError } from '../../src/protocol/generated/errors.js'

const retry = resolveRetryOptions({ retries: 3, initialRetryTime: 1, maxRetryTime: 2 })
const options = { operation: 'test', retry, logger: silentLogger }

describe('settle', () => {
  it('asks again only for the items that failed retriably, keeping the others', async () => {
    const asked: string[][] = []
    const results = await settle(
      ['a', 'b', 'c'],
      async (pending) => {
        asked.push([...pending])
        return new Map<string, Outcome<string>>(
          pending.map((item) => {
            if (item === 'b' && asked.length < 3) return [item, failed(protocolError(ErrorCode.NOT_CONTROLLER))]
            if (item === 'c') return [item, failed(protocolError(ErrorCode.TOPIC_ALREADY_EXISTS))]
            return [item, succeeded(item.toUpperCase())]
          }),
        )
      },
      options,
    )
    expect(asked).toEqual([['a', 'b', 'c'], ['b'], ['b']])
    expect(results.get('a')).toEqual({ value: 'A' })
    expect(results.get('b')).toEqual({ value: 'B' })
    expect(results.get('c')!.error).toMatchObject({ code: 36, type: 'TOPIC_ALREADY_EXISTS' })
  })

  it('keeps the last retriable error once the retries are used up', async () => {
    let rounds = 0
    const results = await settle(
      ['x'],
      async (pending) => {
        rounds++
        return new Map(pending.map((item) => [item, failed(protocolError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS))]))
      },
      options,
    )
    expect(rounds).toBe(retry.retries + 1)
    expect(results.get('x')!.error).toMatchObject({ code: 14, kafkaType: 'COORDINATOR_LOAD_IN_PROGRESS' })
  })

  it('fails every pending item when a round throws retriably, and rethrows anything else', async () => {
    let rounds = 0
    const results = await settle(
      ['x', 'y'],
      async (pending) => {
        rounds++
        if (rounds === 1) throw new KafkaJSError('connection lost', { retriable: true })
        return new Map(pending.map((item) => [item, succeeded(item)]))
      },
      options,
    )
    expect(rounds).toBe(2)
    expect([...results.values()]).toEqual([{ value: 'x' }, { value: 'y' }])
    await expect(
      settle(
        ['x'],
        async () => {
          throw new KafkaJSInvalidArgumentError('bad')
        },
        options,
      ),
    ).rejects.toThrow(KafkaJSInvalidArgumentError)
  })

  it('lets the operation decide what is retriable and hear of each retry', async () => {
    const heard: string[] = []
    const results = await settle(
      ['t'],
      async (pending) =>
        new Map(pending.map((item) => [item, failed(protocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION))])),
      { ...options, retriable: () => false, beforeRetry: (_, item) => heard.push(item) },
    )
    expect(heard).toEqual([])
    expect(results.get('t')!.error).toBeDefined()
  })
})

describe('valuesOrThrow', () => {
  it('returns the values in item order when nothing failed', () => {
    const results = new Map([
      ['b', succeeded(2)],
      ['a', succeeded(1)],
    ])
    expect(valuesOrThrow('op', ['a', 'b'], results, (k) => ({ key: k }))).toEqual([1, 2])
  })

  it('throws one aggregate naming each failed item', () => {
    const results = new Map<string, Outcome<number>>([
      ['a', succeeded(1)],
      ['b', failed(protocolError(ErrorCode.GROUP_ID_NOT_FOUND, 'group b'))],
    ])
    let thrown: unknown
    try {
      valuesOrThrow('deleteGroups', ['a', 'b'], results, (groupId) => ({ groupId }))
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(KafkaJSAggregateError)
    const aggregate = thrown as KafkaJSAggregateError
    expect(aggregate.message).toMatch(/deleteGroups failed for 1 of 2 item\(s\): deleteGroups failed for groupId "b"/)
    const item = aggregate.errors[0] as KafkaJSAdminItemError
    expect(item).toBeInstanceOf(KafkaJSAdminItemError)
    expect(item.item).toEqual({ groupId: 'b' })
    expect(item.type).toBe('GROUP_ID_NOT_FOUND')
    expect(item.code).toBe(69)
    expect(item.retriable).toBe(false)
  })
})

describe('matchResults', () => {
  const match = (results: Array<{ name: string; errorCode: number; errorMessage?: string | null }>) =>
    matchResults(['a', 'b'], results, {
      keyOfItem: (k) => k,
      keyOfResult: (r) => r.name,
      value: (r) => r.name,
      describe: (k) => `topic ${k}`,
      doneAnyway: (code, k) => code === ErrorCode.TOPIC_ALREADY_EXISTS && k === 'b',
    })

  it('matches results to items by key, with the broker message in the error', () => {
    const outcomes = match([
      { name: 'a', errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'no such config' },
      { name: 'b', errorCode: 0 },
    ])
    expect(outcomes.get('a')!.error).toMatchObject({
      message: 'Configuration is invalid',
      detail: 'topic a: no such config',
    })
    expect(outcomes.get('b')).toEqual({ value: 'b' })
  })

  it('fails an item the response does not mention, and accepts errors that mean done', () => {
    const outcomes = match([{ name: 'b', errorCode: ErrorCode.TOPIC_ALREADY_EXISTS }])
    expect(outcomes.get('a')!.error).toMatchObject({ code: -1, type: 'UNKNOWN', kafkaType: 'UNKNOWN_SERVER_ERROR' })
    expect(outcomes.get('b')).toEqual({ value: 'b' })
  })
})
