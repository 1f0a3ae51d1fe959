import { FetchedMessages } from '../../src/consumer/fetch/fetched-messages.js'
import {
  FETCH_STATE_TRANSITIONS,
  type FetchedChunk,
  type FetchState,
  type PartitionState,
  SubscriptionState,
} from '../../src/consumer/subscription-state.js'
import { KafkaJSInvariantViolation } from '../../src/errors.js'

const TP = { topic: 't', partition: 0 }

function assigned(): { subscriptions: SubscriptionState; state: PartitionState } {
  const subscriptions = new SubscriptionState()
  const [state] = subscriptions.assign([TP])
  return { subscriptions, state: state! }
}

function chunk(state: PartitionState, fetchOffset: bigint, nextOffset: bigint, bytes = 100): FetchedChunk {
  return {
    topic: state.topic,
    partition: state.partition,
    generation: state.generation,
    fetchOffset,
    messages: new FetchedMessages(),
    nextOffset,
    firstOffset: fetchOffset,
    highWatermark: nextOffset,
    lastLeaderEpoch: 3,
    lastBatchEpoch: 3,
    fetchLeaderEpoch: 4,
    bytes,
  }
}

/** Whether `wait` settles before a macrotask runs: the transition woke it. */
async function woken(wait: Promise<void>): Promise<boolean> {
  const pending = Symbol('pending')
  const settled = await Promise.race([
    wait.then(() => true),
    new Promise<typeof pending>((resolve) => setImmediate(() => resolve(pending))),
  ])
  return settled === true
}

/** Drives a fresh partition into `to` by the ordinary paths. */
function inState(to: FetchState): { subscriptions: SubscriptionState; state: PartitionState } {
  const h = assigned()
  if (to === 'FETCHING') h.state.seek(10n)
  if (to === 'AWAIT_RESET') h.state.requestReset('earliest')
  if (to === 'AWAIT_VALIDATION') {
    h.state.seek(10n)
    h.state.buffer(chunk(h.state, 10n, 20n))
    h.state.awaitValidation(5)
  }
  return h
}

describe('PartitionState fetch states', () => {
  test('an assigned partition starts INITIALIZING, without a position, and is not fetchable', () => {
    const { state } = assigned()
    expect(state.fetchState).toBe('INITIALIZING')
    expect(state.position).toBeUndefined()
    expect(state.fetchPosition).toBeUndefined()
    expect(state.hasPosition).toBe(false)
    expect(state.isFetchable).toBe(false)
  })

  test('the transition table is the one described: no validation without a position', () => {
    expect(FETCH_STATE_TRANSITIONS).toEqual({
      INITIALIZING: ['FETCHING', 'AWAIT_RESET'],
      FETCHING: ['FETCHING', 'AWAIT_RESET', 'AWAIT_VALIDATION'],
      AWAIT_RESET: ['FETCHING', 'AWAIT_RESET'],
      AWAIT_VALIDATION: ['FETCHING', 'AWAIT_RESET', 'AWAIT_VALIDATION'],
    })
  })

  test.each<FetchState>(['INITIALIZING', 'FETCHING', 'AWAIT_RESET', 'AWAIT_VALIDATION'])(
    'a seek from %s moves both positions and makes the partition FETCHING',
    (from) => {
      const { state } = inState(from)
      const generation = state.generation
      state.seek(42n)
      expect(state.fetchState).toBe('FETCHING')
      expect([state.position, state.fetchPosition]).toEqual([42n, 42n])
      expect(state.resetStrategy).toBeUndefined()
      expect(state.generation).toBe(generation + 1)
      expect(state.isFetchable).toBe(true)
    },
  )

  test.each<FetchState>(['INITIALIZING', 'FETCHING', 'AWAIT_RESET', 'AWAIT_VALIDATION'])(
    'a reset from %s forgets the position and awaits the strategy',
    (from) => {
      const { state } = inState(from)
      state.requestReset('latest')
      expect(state.fetchState).toBe('AWAIT_RESET')
      expect(state.resetStrategy).toBe('latest')
      expect(state.hasPosition).toBe(false)
      expect(state.isFetchable).toBe(false)
    },
  )

  test('a completed reset makes the partition FETCHING from the offset found', () => {
    const { state } = inState('AWAIT_RESET')
    expect(state.completeReset(7n, state.generation)).toBe(true)
    expect(state.fetchState).toBe('FETCHING')
    expect([state.position, state.fetchPosition]).toEqual([7n, 7n])
    expect(state.resetStrategy).toBeUndefined()
  })

  test('a reset result from before a seek is ignored: the seek wins', () => {
    const { state } = inState('AWAIT_RESET')
    const asked = state.generation
    state.seek(3n)
    expect(state.completeReset(100n, asked)).toBe(false)
    expect([state.fetchState, state.position]).toEqual(['FETCHING', 3n])
  })

  test.each<FetchState>(['INITIALIZING', 'FETCHING', 'AWAIT_VALIDATION'])(
    'completing a reset from %s is illegal: a typed error',
    (from) => {
      const { state } = inState(from)
      expect(() => state.completeReset(1n, state.generation)).toThrow(KafkaJSInvariantViolation)
      expect(() => state.completeReset(1n, state.generation)).toThrow(/t-0 fetch: illegal transition/)
      expect(state.fetchState).toBe(from)
    },
  )

  test('validation is needed once the leader epoch moves past the one the position was fetched under', () => {
    const { state } = inState('FETCHING')
    // not fetched from yet: nothing to validate whatever the epoch
    expect(state.needsValidation(9)).toBe(false)
    state.buffer(chunk(state, 10n, 20n))
    expect([state.fetchedEpoch, state.fetchLeaderEpoch]).toEqual([3, 4])
    expect(state.needsValidation(4)).toBe(false)
    expect(state.needsValidation(5)).toBe(true)
    // a seek forgets the epochs: the new position is fetched from before it can be validated
    state.seek(0n)
    expect(state.needsValidation(5)).toBe(false)
  })

  test('validation: entered from FETCHING, positions and buffered data kept, not fetchable', () => {
    const { state } = inState('FETCHING')
    expect(state.buffer(chunk(state, 10n, 20n))).toBe(true)
    state.advancePosition(15n, state.generation)
    const generation = state.generation
    state.awaitValidation(6)
    expect(state.fetchState).toBe('AWAIT_VALIDATION')
    expect(state.validationLeaderEpoch).toBe(6)
    expect([state.position, state.fetchPosition, state.buffered.length]).toEqual([15n, 20n, 1])
    expect(state.generation).toBe(generation)
    expect(state.hasPosition).toBe(true)
    expect(state.isFetchable).toBe(false)
    expect(state.needsValidation(7)).toBe(false)
    // a Fetch sent before the leader change is not buffered
    expect(state.buffer(chunk(state, 20n, 30n))).toBe(false)
  })

  test('validation completed for the epoch asked: FETCHING under that epoch', () => {
    const { state } = inState('AWAIT_VALIDATION')
    expect(state.completeValidation(state.generation, 5)).toBe(true)
    expect(state.fetchState).toBe('FETCHING')
    expect([state.fetchPosition, state.validationLeaderEpoch, state.fetchLeaderEpoch]).toEqual([20n, -1, 5])
    expect(state.needsValidation(5)).toBe(false)
  })

  test('a validation result from before a newer leader epoch or a seek is ignored', () => {
    const { state } = inState('AWAIT_VALIDATION')
    const asked = state.generation
    state.awaitValidation(7)
    expect(state.completeValidation(asked, 5)).toBe(false)
    expect([state.fetchState, state.validationLeaderEpoch]).toEqual(['AWAIT_VALIDATION', 7])
    state.seek(3n)
    expect(state.completeValidation(asked, 7)).toBe(false)
    expect(state.fetchState).toBe('FETCHING')
  })

  test.each<FetchState>(['INITIALIZING', 'AWAIT_RESET'])('validation from %s is illegal: no position', (from) => {
    const { state } = inState(from)
    expect(() => state.awaitValidation(1)).toThrow(KafkaJSInvariantViolation)
    expect(state.fetchState).toBe(from)
  })

  test('completing a validation from FETCHING is illegal', () => {
    const { state } = inState('FETCHING')
    expect(() => state.completeValidation(state.generation, 1)).toThrow(/FETCHING -> FETCHING \(validation completed\)/)
  })
})

describe('PartitionState buffering and the generation rule', () => {
  test('buffering moves the fetch position ahead; processing moves the position', () => {
    const { state } = inState('FETCHING')
    state.growFetchSize(5000)
    expect(state.buffer(chunk(state, 10n, 20n, 300))).toBe(true)
    expect(state.buffer(chunk(state, 20n, 25n, 200))).toBe(true)
    expect([state.position, state.fetchPosition, state.bufferedBytes]).toEqual([10n, 25n, 500])
    expect(state.fetchSizeOverride).toBeUndefined()
    const taken = state.startProcessing()
    expect([taken.fetchOffset, state.bufferedBytes, state.processing]).toEqual([10n, 200, true])
    state.advancePosition(taken.nextOffset, taken.generation)
    state.release()
    expect([state.position, state.processing]).toEqual([20n, false])
  })

  test('a chunk fetched under an older generation is dropped on arrival', () => {
    const { state } = inState('FETCHING')
    const stale = chunk(state, 10n, 20n)
    state.seek(50n)
    expect(state.buffer(stale)).toBe(false)
    expect([state.buffered.length, state.fetchPosition]).toEqual([0, 50n])
  })

  test('nothing is buffered for a paused or revoking partition', () => {
    const { subscriptions, state } = inState('FETCHING')
    subscriptions.pause('t', [0])
    expect(state.buffer(chunk(state, 10n, 20n))).toBe(false)
    subscriptions.resume('t', [0])
    subscriptions.revoke([TP])
    expect(state.buffer(chunk(state, 10n, 20n))).toBe(false)
  })

  test('a seek, reset, rewind or revocation drops what is buffered and bumps the generation', () => {
    const moves: ((s: PartitionState) => void)[] = [
      (s) => s.seek(1n),
      (s) => s.requestReset('earliest'),
      (s) => s.rewind(12n, s.generation),
      (s) => s.revoke(),
    ]
    for (const move of moves) {
      const { state } = inState('FETCHING')
      state.buffer(chunk(state, 10n, 20n))
      const generation = state.generation
      move(state)
      expect(state.generation).toBe(generation + 1)
      expect([state.buffered.length, state.bufferedBytes]).toEqual([0, 0])
    }
  })

  test('a rewind moves both positions, unless a seek moved them since', () => {
    const { state } = inState('FETCHING')
    state.buffer(chunk(state, 10n, 20n))
    const taken = state.startProcessing()
    expect(state.rewind(12n, taken.generation)).toBe(true)
    expect([state.position, state.fetchPosition, state.fetchState]).toEqual([12n, 12n, 'FETCHING'])
    state.seek(99n)
    expect(state.rewind(12n, taken.generation + 1)).toBe(false)
    expect(state.fetchPosition).toBe(99n)
  })

  test('a handler finishing after a seek does not move the position back', () => {
    const { state } = inState('FETCHING')
    state.buffer(chunk(state, 10n, 20n))
    const taken = state.startProcessing()
    state.seek(5n)
    state.advancePosition(taken.nextOffset, taken.generation)
    expect(state.position).toBe(5n)
  })

  test('taking a chunk twice, or with nothing buffered, is a typed error', () => {
    const { state } = inState('FETCHING')
    expect(() => state.startProcessing()).toThrow(KafkaJSInvariantViolation)
    state.buffer(chunk(state, 10n, 20n))
    state.buffer(chunk(state, 20n, 30n))
    state.startProcessing()
    expect(() => state.startProcessing()).toThrow(/already processed/)
  })

  test('commits: restored at assignment, resolved, confirmed', () => {
    const { state } = assigned()
    state.restoreCommitted(8n, 2)
    expect([state.committed, state.resolved, state.lastLeaderEpoch, state.hasUncommitted]).toEqual([8n, 8n, 2, false])
    state.resolve(9n)
    expect([state.resolved, state.lastLeaderEpoch, state.hasUncommitted]).toEqual([9n, 2, true])
    state.resolve(10n, 4)
    state.markCommitted(10n)
    expect([state.lastLeaderEpoch, state.hasUncommitted]).toEqual([4, false])
  })
})

describe('wake-ups fired by the transitions', () => {
  test.each<[string, (h: { subscriptions: SubscriptionState; state: PartitionState }) => void]>([
    ['seek', ({ state }) => state.seek(1n)],
    ['reset', ({ state }) => state.requestReset('latest')],
    ['reset completed', ({ state }) => state.completeReset(1n, state.generation)],
    ['pause', ({ subscriptions }) => subscriptions.pause('t', [0])],
    ['resume', ({ subscriptions }) => subscriptions.resume('t', undefined)],
    ['revoke', ({ subscriptions }) => subscriptions.revoke([TP])],
    ['unassign', ({ subscriptions }) => subscriptions.unassign([TP])],
    ['preferred read replica', ({ state }) => state.preferReadReplica(2)],
    ['validation', ({ state }) => state.awaitValidation(9)],
    ['validation completed', ({ state }) => state.completeValidation(state.generation, 5)],
  ])('%s wakes the fetch loops', async (name, change) => {
    const h = inState(
      name === 'validation' ? 'FETCHING' : name === 'validation completed' ? 'AWAIT_VALIDATION' : 'AWAIT_RESET',
    )
    const waiting = h.subscriptions.waitForFetchable()
    change(h)
    expect(await woken(waiting)).toBe(true)
  })

  test('assigning a new partition wakes the fetch loops; assigning an owned one does not', async () => {
    const { subscriptions } = assigned()
    const again = subscriptions.waitForFetchable()
    expect(subscriptions.assign([TP])).toEqual([])
    expect(await woken(again)).toBe(false)
    const waiting = subscriptions.waitForFetchable()
    subscriptions.assign([{ topic: 't', partition: 1 }])
    expect(await woken(waiting)).toBe(true)
  })

  test('taking a chunk frees buffer room: the fetch loops wake', async () => {
    const { subscriptions, state } = inState('FETCHING')
    state.buffer(chunk(state, 10n, 20n))
    const waiting = subscriptions.waitForFetchable()
    state.startProcessing()
    expect(await woken(waiting)).toBe(true)
  })

  test('buffered data wakes the runner workers; so do a release and a resume', async () => {
    const { subscriptions, state } = inState('FETCHING')
    let waiting = subscriptions.waitForDeliverable()
    state.buffer(chunk(state, 10n, 20n))
    expect(await woken(waiting)).toBe(true)
    state.startProcessing()
    waiting = subscriptions.waitForDeliverable()
    state.release()
    expect(await woken(waiting)).toBe(true)
    subscriptions.pause('t', undefined)
    waiting = subscriptions.waitForDeliverable()
    subscriptions.resume('t', undefined)
    expect(await woken(waiting)).toBe(true)
  })

  test('a fetch position change of its own does not wake the runners', async () => {
    const { subscriptions, state } = inState('FETCHING')
    const waiting = subscriptions.waitForDeliverable()
    state.growFetchSize(1000)
    state.noteFetchedOffsets(30n, 30n, 0n)
    state.advancePosition(11n, state.generation)
    expect(await woken(waiting)).toBe(false)
  })

  test('waitIdle ends when the partition is released, not before', async () => {
    const { subscriptions, state } = inState('FETCHING')
    state.buffer(chunk(state, 10n, 20n))
    state.startProcessing()
    const idle = subscriptions.waitIdle([TP, { topic: 'other', partition: 0 }])
    expect(await woken(idle)).toBe(false)
    state.release()
    expect(await woken(idle)).toBe(true)
  })
})

describe('SubscriptionState pausing', () => {
  test('pauses are flags beside the fetch state, kept for partitions assigned later', () => {
    const subscriptions = new SubscriptionState()
    subscriptions.pause('t', undefined)
    subscriptions.pause('u', [1])
    const [t0, u1, u2] = subscriptions.assign([TP, { topic: 'u', partition: 1 }, { topic: 'u', partition: 2 }])
    expect([t0!.paused, u1!.paused, u2!.paused]).toEqual([true, true, false])
    t0!.seek(0n)
    expect([t0!.fetchState, t0!.isFetchable]).toEqual(['FETCHING', false])
    subscriptions.resume('t', undefined)
    expect(t0!.isFetchable).toBe(true)
    expect(subscriptions.paused()).toEqual([{ topic: 'u', partition: 1 }])
    expect(subscriptions.isPaused('u', 7)).toBe(false)
  })

  test('a revoking partition is not fetchable and stays revoking', () => {
    const { subscriptions, state } = inState('FETCHING')
    subscriptions.revoke([TP])
    state.seek(3n)
    expect([state.revoking, state.isFetchable, subscriptions.get('t', 0)]).toEqual([true, false, state])
    subscriptions.unassign([TP])
    expect(subscriptions.get('t', 0)).toBeUndefined()
  })
})
