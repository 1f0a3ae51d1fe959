// The client side of an incremental fetch session with one broker (KIP-227, Java's
// FetchSessionHandler). The first request is a full fetch (session id 0, epoch 0) listing every
// partition; the broker answers with a session id, and later requests carry only what changed:
// partitions added or whose fetch parameters moved, and (as forgotten topics) partitions to drop.
// Partitions left out of an incremental request keep being fetched by the broker with the
// parameters it has cached, and partitions without news are left out of its responses.
//
// Any error in the session (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH, a lost
// connection, a failed request) returns to a full fetch, which is always correct.

import { ErrorCode } from '../../protocol/generated/errors.js'
import {
  createFetchRequestFetchPartition,
  createFetchRequestFetchTopic,
  createFetchRequestForgottenTopic,
  type FetchRequestFetchTopic,
  type FetchRequestForgottenTopic,
} from '../../protocol/generated/fetch.js'
import { PartitionMap } from '../topic-partition.js'

/** What one partition is fetched with; a change in any field is sent to the broker. */
export interface SessionPartition {
  readonly topic: string
  readonly topicId: string
  readonly partition: number
  readonly fetchOffset: bigint
  readonly partitionMaxBytes: number
  readonly currentLeaderEpoch: number
  /** Leader epoch of the last batch before fetchOffset (Fetch v12+, KIP-320), -1 when not sent. */
  readonly lastFetchedEpoch: number
}

export interface SessionRequest {
  readonly sessionId: number
  readonly sessionEpoch: number
  readonly topics: FetchRequestFetchTopic[]
  readonly forgottenTopicsData: FetchRequestForgottenTopic[]
  /** Whether this request lists every partition (the response then does too). */
  readonly full: boolean
}

const INITIAL_EPOCH = 0
/** Fetch versions before 7 have no sessions: every request is full and stays sessionless. */
export const FIRST_SESSION_VERSION = 7
/** The errors after which the broker no longer knows our session; the next request is full. */
const SESSION_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
  ErrorCode.INVALID_FETCH_SESSION_EPOCH,
  ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR,
])

export class FetchSession {
  #sessionId = 0
  #epoch = INITIAL_EPOCH
  /** What the broker has cached for our session, as of the last request it accepted. */
  #partitions = new PartitionMap<SessionPartition>()
  /** The partitions of the request in flight, adopted once its response arrives without error. */
  #pending: PartitionMap<SessionPartition> | undefined

  get sessionId(): number {
    return this.#sessionId
  }

  /** Builds the next request for `wanted`: full when there is no session, else only the changes. */
  build(wanted: readonly SessionPartition[], usesSessions: boolean): SessionRequest {
    const next = new PartitionMap<SessionPartition>()
    for (const p of wanted) next.set(p.topic, p.partition, p)
    this.#pending = next
    const full = !usesSessions || this.#sessionId === 0 || this.#epoch === INITIAL_EPOCH
    if (full) {
      return {
        sessionId: 0,
        sessionEpoch: usesSessions ? INITIAL_EPOCH : -1,
        topics: toFetchTopics(wanted),
        forgottenTopicsData: [],
        full: true,
      }
    }
    const changed: SessionPartition[] = []
    for (const p of wanted) {
      const cached = this.#partitions.get(p.topic, p.partition)
      if (cached === undefined || !sameParameters(cached, p)) changed.push(p)
    }
    const forgotten: SessionPartition[] = []
    for (const p of this.#partitions.values()) if (!next.has(p.topic, p.partition)) forgotten.push(p)
    return {
      sessionId: this.#sessionId,
      sessionEpoch: this.#epoch,
      topics: toFetchTopics(changed),
      forgottenTopicsData: toForgottenTopics(forgotten),
      full: false,
    }
  }

  /**
   * Takes the response's top-level error code and session id. Returns false when the session is
   * gone (the caller retries at once with a full fetch).
   */
  handleResponse(errorCode: number, sessionId: number): boolean {
    const pending = this.#pending
    this.#pending = undefined
    if (SESSION_ERRORS.has(errorCode)) {
      this.reset()
      return false
    }
    if (errorCode !== ErrorCode.NONE) {
      this.reset()
      return true
    }
    if (pending !== undefined) this.#partitions = pending
    if (this.#sessionId === 0 || this.#epoch === INITIAL_EPOCH) {
      // a broker that keeps no session for us answers 0; the next request is full again
      this.#sessionId = sessionId
      this.#epoch = sessionId === 0 ? INITIAL_EPOCH : 1
    } else {
      this.#epoch = this.#epoch >= 0x7fffffff ? 1 : this.#epoch + 1
    }
    return true
  }

  /** After a failed request: whether the broker saw it is unknown, so start over. */
  reset(): void {
    this.#sessionId = 0
    this.#epoch = INITIAL_EPOCH
    this.#partitions = new PartitionMap()
    this.#pending = undefined
  }

  /** Forgets one partition's cached parameters so that the next request sends it again. */
  invalidate(topic: string, partition: number): void {
    this.#partitions.delete(topic, partition)
  }
}

function sameParameters(a: SessionPartition, b: SessionPartition): boolean {
  return (
    a.fetchOffset === b.fetchOffset &&
    a.partitionMaxBytes === b.partitionMaxBytes &&
    a.currentLeaderEpoch === b.currentLeaderEpoch &&
    a.lastFetchedEpoch === b.lastFetchedEpoch &&
    a.topicId === b.topicId
  )
}

function toFetchTopics(partitions: readonly SessionPartition[]): FetchRequestFetchTopic[] {
  const byTopic = new Map<string, FetchRequestFetchTopic>()
  for (const p of partitions) {
    let topic = byTopic.get(p.topic)
    if (topic === undefined) {
      topic = createFetchRequestFetchTopic({ topic: p.topic, topicId: p.topicId })
      byTopic.set(p.topic, topic)
    }
    topic.partitions.push(
      createFetchRequestFetchPartition({
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        partitionMaxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: p.currentLeaderEpoch,
        lastFetchedEpoch: p.lastFetchedEpoch,
      }),
    )
  }
  return [...byTopic.values()]
}

function toForgottenTopics(partitions: readonly SessionPartition[]): FetchRequestForgottenTopic[] {
  const byTopic = new Map<string, FetchRequestForgottenTopic>()
  for (const p of partitions) {
    let topic = byTopic.get(p.topic)
    if (topic === undefined) {
      topic = createFetchRequestForgottenTopic({ topic: p.topic, topicId: p.topicId })
      byTopic.set(p.topic, topic)
    }
    topic.partitions.push(p.partition)
  }
  return [...byTopic.values()]
}
