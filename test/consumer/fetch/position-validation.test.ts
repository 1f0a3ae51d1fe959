// Position validation after a leader change (KIP-320): the decision from the leader's answer, and
// the fetcher driving it on the fake cluster (a leader moved, OffsetForLeaderEpoch answered as a
// test scripts it). What real Kafka answers after an unclean election is for integration/.

import { Cluster } from '../../../src/cluster/cluster.js'
import { resolveRetryOptions } from '../../../src/common/backoff.js'
import type { Logger } from '../../../src/common/logger.js'
import { Fetcher, IsolationLevel } from '../../../src/consumer/fetch/fetcher.js'
import { type EpochEndOffset, validationOutcome } from '../../../src/consumer/fetch/position-validation.js'
import { SubscriptionState } from '../../../src/consumer/subscription-state.js'
import { Kafka, logLevel } from '../../../src/index.js'
import { ErrorCode } from '../../../src/protocol/generated/errors.js'
import {
  createOffsetForLeaderEpochResponseEpochEndOffset as epochEndOffset,
  createOffsetForLeaderEpochResponseOffsetForLeaderTopicResult as epochTopic,
  OffsetForLeaderEpoch,
  type OffsetForLeaderEpochRequest,
} from '../../../src/protocol/generated/offset-for-leader-epoch.js'
import { FakeCluster } from '../../fake-broker/fake-cluster.js'

const TP = { topic: 't', partition: 0 }
const answer = (fields: Partial<EpochEndOffset>): EpochEndOffset => ({
  errorCode: ErrorCode.NONE,
  leaderEpoch: 0,
  endOffset: 10n,
  ...fields,
})

describe('validationOutcome', () => {
  test('an epoch ending at or after the fetch position confirms it', () => {
    expect(validationOutcome(TP, 10n, answer({ endOffset: 10n }))).toEqual({ kind: 'valid' })
    expect(validationOutcome(TP, 10n, answer({ endOffset: 12n }))).toEqual({ kind: 'valid' })
  })

  test('an epoch ending before the fetch position is a truncation at that end', () => {
    expect(validationOutcome(TP, 10n, answer({ endOffset: 7n }))).toEqual({ kind: 'truncated', offset: 7n })
  })

  test('a leader knowing no epoch at or before the asked one leaves it to the reset policy', () => {
    expect(validationOutcome(TP, 10n, answer({ leaderEpoch: -1, endOffset: -1n }))).toEqual({ kind: 'reset' })
  })

  test('stale metadata is retried; other errors are fatal', () => {
    for (const code of [
      ErrorCode.FENCED_LEADER_EPOCH,
      ErrorCode.UNKNOWN_LEADER_EPOCH,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]) {
      expect(validationOutcome(TP, 10n, answer({ errorCode: code })).kind).toBe('retry')
    }
    const fatal = validationOutcome(TP, 10n, answer({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }))
    expect(fatal).toMatchObject({ kind: 'fatal', error: { type: 'TOPIC_AUTHORIZATION_FAILED' } })
  })
})

describe('the fetcher validates positions after a leader change', () => {
  let fake: FakeCluster
  let cluster: Cluster
  let fetcher: Fetcher | undefined
  const warnings: { message: string; extra: unknown }[] = []
  const logger: Logger = {
    error: () => {},
    info: () => {},
    debug: () => {},
    warn: (message, extra) => warnings.push({ message, extra }),
  }

  beforeEach(async () => {
    warnings.length = 0
    requests = []
    fake = await FakeCluster.start({ nodes: 2, topics: { t: 1 } })
    handleEpochs()
    const producer = new Kafka({ brokers: fake.brokers, logLevel: logLevel.NOTHING }).producer()
    await producer.connect()
    await producer.send({ topic: 't', messages: [0, 1, 2, 3, 4].map((i) => ({ value: `m${i}`, partition: 0 })) })
    await producer.disconnect()
    cluster = new Cluster({ brokers: fake.brokers, clientId: 'validation-test', allowAutoTopicCreation: false })
    await cluster.connect()
  })

  afterEach(async () => {
    await fetcher?.stop()
    await cluster.disconnect()
    await fake.close()
  })

  /** What OffsetForLeaderEpoch answers, one entry per request (the last repeats); the requests. */
  let script: (bigint | { errorCode: number })[] = []
  let requests: OffsetForLeaderEpochRequest[] = []

  function answerEpochs(...endOffsets: (bigint | { errorCode: number })[]): OffsetForLeaderEpochRequest[] {
    script = endOffsets
    return requests
  }

  /** Handled before the client connects, so that every node advertises OffsetForLeaderEpoch. */
  function handleEpochs(): void {
    fake.handle(OffsetForLeaderEpoch, (ctx) => {
      requests.push(ctx.request)
      const next = script[Math.min(requests.length, script.length) - 1]!
      const partition =
        typeof next === 'bigint'
          ? epochEndOffset({ partition: 0, leaderEpoch: next < 0n ? -1 : 0, endOffset: next })
          : epochEndOffset({ partition: 0, errorCode: next.errorCode, leaderEpoch: -1, endOffset: -1n })
      return OffsetForLeaderEpoch.createResponse({ topics: [epochTopic({ topic: 't', partitions: [partition] })] })
    })
  }

  function start(): SubscriptionState {
    const subscriptions = new SubscriptionState()
    fetcher = new Fetcher(
      cluster,
      subscriptions,
      {
        minBytes: 1,
        maxBytes: 1024 * 1024,
        maxBytesPerPartition: 1024 * 1024,
        maxWaitTimeInMs: 50,
        isolationLevel: IsolationLevel.READ_COMMITTED,
        rackId: '',
        retry: resolveRetryOptions({ initialRetryTime: 10, retries: 5 }),
        metadataMaxAge: 300000,
        logger,
      },
      { onFatalError: (error) => warnings.push({ message: 'fatal', extra: error }) },
      () => 'earliest',
    )
    fetcher.start()
    subscriptions.assign([TP])
    subscriptions.get('t', 0)!.seek(0n)
    return subscriptions
  }

  /** Takes what is buffered, as the runner would, until `count` offsets arrived. */
  async function drain(subscriptions: SubscriptionState, count: number): Promise<string[]> {
    const offsets: string[] = []
    while (offsets.length < count) {
      const state = subscriptions.get('t', 0)!
      if (state.buffered.length === 0) {
        await subscriptions.waitForDeliverable()
        continue
      }
      const chunk = state.startProcessing()
      state.advancePosition(chunk.nextOffset, chunk.generation)
      offsets.push(...chunk.messages.all().map((m) => m.offset))
      state.release()
    }
    return offsets
  }

  async function untilFetching(subscriptions: SubscriptionState): Promise<void> {
    while (subscriptions.get('t', 0)!.fetchState !== 'FETCHING') await subscriptions.waitForFetchable()
  }

  test('the new leader confirms the position: fetching goes on from it, nothing read twice', async () => {
    const requests = answerEpochs(5n)
    const subscriptions = start()
    expect(await drain(subscriptions, 5)).toEqual(['0', '1', '2', '3', '4'])
    expect(subscriptions.get('t', 0)!.fetchedEpoch).toBe(0)
    fake.model.moveLeader('t', 0, 2)
    await fake.request(OffsetForLeaderEpoch, 1, 2)
    const producer = new Kafka({ brokers: fake.brokers, logLevel: logLevel.NOTHING }).producer()
    await producer.connect()
    await producer.send({ topic: 't', messages: [{ value: 'm5', partition: 0 }] })
    await producer.disconnect()
    expect(await drain(subscriptions, 1)).toEqual(['5'])
    expect(requests[0]).toMatchObject({
      replicaId: -1,
      topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }] }],
    })
    const state = subscriptions.get('t', 0)!
    expect([state.fetchState, state.fetchLeaderEpoch]).toEqual(['FETCHING', 1])
    expect(warnings).toEqual([])
  })

  test('a log truncated below the position: fetching goes on from where the logs diverge, logged', async () => {
    answerEpochs(3n)
    const subscriptions = start()
    expect(await drain(subscriptions, 5)).toEqual(['0', '1', '2', '3', '4'])
    fake.model.moveLeader('t', 0, 2)
    await fake.request(OffsetForLeaderEpoch, 1, 2)
    // the fake's log still holds offsets 3 and 4: read again from the divergence, not skipped
    expect(await drain(subscriptions, 2)).toEqual(['3', '4'])
    expect(warnings).toEqual([
      {
        message: 'Log truncation detected; fetching from where the logs diverge',
        extra: { topic: 't', partition: 0, fetchOffset: '5', divergentOffset: '3', leaderEpoch: 1 },
      },
    ])
  })

  test('a leader without the epoch: the reset policy finds the position', async () => {
    answerEpochs(-1n)
    const subscriptions = start()
    await drain(subscriptions, 5)
    fake.model.moveLeader('t', 0, 2)
    expect(await drain(subscriptions, 5)).toEqual(['0', '1', '2', '3', '4'])
    expect(warnings.map((w) => w.message)).toEqual([
      'The leader knows no epoch for the position; resetting to default offset',
    ])
  })

  test('a leader without a usable OffsetForLeaderEpoch: the position is trusted, as in Java', async () => {
    fake.advertise(OffsetForLeaderEpoch, 0, 1)
    // a client connected before the change would have read the old ApiVersions
    await cluster.disconnect()
    cluster = new Cluster({ brokers: fake.brokers, clientId: 'validation-test', allowAutoTopicCreation: false })
    await cluster.connect()
    const requests = answerEpochs(0n)
    const subscriptions = start()
    await drain(subscriptions, 5)
    fake.model.moveLeader('t', 0, 2)
    while (subscriptions.get('t', 0)!.fetchLeaderEpoch !== 1) await subscriptions.waitForFetchable()
    expect(subscriptions.get('t', 0)!.fetchState).toBe('FETCHING')
    expect(subscriptions.get('t', 0)!.fetchPosition).toBe(5n)
    expect(requests).toEqual([])
  })

  test('a stale answer leaves the partition awaiting validation and is asked again', async () => {
    const requests = answerEpochs({ errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH }, 5n)
    const subscriptions = start()
    await drain(subscriptions, 5)
    fake.model.moveLeader('t', 0, 2)
    await fake.request(OffsetForLeaderEpoch, 2, 2)
    await untilFetching(subscriptions)
    expect(requests).toHaveLength(2)
    expect(subscriptions.get('t', 0)!.fetchPosition).toBe(5n)
    expect(warnings).toEqual([])
  })
})
