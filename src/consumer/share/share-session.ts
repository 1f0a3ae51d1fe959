// A share session (KIP-932) with one broker: the partitions this member fetches there and the epoch
// of the next request. Epoch 0 opens a session with the partitions listed; every later request
// (ShareFetch or ShareAcknowledge) carries the next epoch (1, 2, ... wrapping to 1) and lists only
// the partitions it adds or acknowledges, with those it stops fetching as forgotten. Epoch -1 closes
// the session: the broker applies its acknowledgements and releases whatever the member still holds.
//
// Invariants:
// 1. One request at a time: the caller sends the next request of a session only after the previous
//    one was answered (ShareFetchLoop's request chain), so epochs arrive in order.
// 2. The epoch advances only on an answer without a top-level error; a session error
//    (SHARE_SESSION_NOT_FOUND, INVALID_SHARE_SESSION_EPOCH) or a lost answer starts over at 0, since
//    the broker may or may not have applied the request.
// 3. A partition is forgotten only by a request that carries no acknowledgement for it.

import { ErrorCode } from '../../protocol/generated/errors.js'
import type { AcknowledgementBatch } from './acknowledgements.js'

export const INITIAL_EPOCH = 0
export const FINAL_EPOCH = -1
const MAX_EPOCH = 2 ** 31 - 1

export interface SessionPartition {
  readonly topicId: string
  readonly partition: number
}

export interface SessionTopic {
  topicId: string
  partitions: { partitionIndex: number; acknowledgementBatches: AcknowledgementBatch[] }[]
}

export interface SessionRequest {
  shareSessionEpoch: number
  topics: SessionTopic[]
  forgottenTopicsData: { topicId: string; partitions: number[] }[]
  /** The partitions in the session once this request is answered. */
  readonly next: ReadonlySet<string>
}

function keyOf(p: SessionPartition): string {
  return `${p.topicId}:${p.partition}`
}

function parseKey(key: string): SessionPartition {
  const colon = key.lastIndexOf(':')
  return { topicId: key.slice(0, colon), partition: Number(key.slice(colon + 1)) }
}

export class ShareSession {
  #epoch = INITIAL_EPOCH
  #partitions = new Set<string>()

  get epoch(): number {
    return this.#epoch
  }

  /** Whether the broker holds a session for us (a request was answered since the last reset). */
  get isOpen(): boolean {
    return this.#epoch !== INITIAL_EPOCH
  }

  /**
   * A ShareFetch's session fields: fetch `wanted`, acknowledge `acks` (partition key -> batches).
   * Partitions with acknowledgements are listed whether wanted or not, and stay in the session.
   */
  fetchRequest(wanted: readonly SessionPartition[], acks: ReadonlyMap<string, AcknowledgementBatch[]>): SessionRequest {
    const next = new Set(wanted.map(keyOf))
    for (const key of acks.keys()) next.add(key)
    const listed = [...next].filter((key) => !this.isOpen || !this.#partitions.has(key) || acks.has(key))
    const forgotten = this.isOpen ? [...this.#partitions].filter((key) => !next.has(key)) : []
    return {
      shareSessionEpoch: this.#epoch,
      topics: byTopic(listed, (key) => ({
        partitionIndex: parseKey(key).partition,
        acknowledgementBatches: acks.get(key) ?? [],
      })),
      forgottenTopicsData: byTopic(forgotten, (key) => parseKey(key).partition).map((t) => ({
        topicId: t.topicId,
        partitions: t.partitions,
      })),
      next,
    }
  }

  /** A ShareAcknowledge's session fields; `final` closes the session. */
  acknowledgeRequest(
    acks: ReadonlyMap<string, AcknowledgementBatch[]>,
    final: boolean,
  ): Omit<SessionRequest, 'forgottenTopicsData'> {
    return {
      shareSessionEpoch: final ? FINAL_EPOCH : this.#epoch,
      topics: byTopic([...acks.keys()], (key) => ({
        partitionIndex: parseKey(key).partition,
        acknowledgementBatches: acks.get(key)!,
      })),
      next: final ? new Set() : new Set(this.#partitions),
    }
  }

  /** The request was answered with `errorCode` at the top level. */
  answered(request: Pick<SessionRequest, 'shareSessionEpoch' | 'next'>, errorCode: number): void {
    if (request.shareSessionEpoch === FINAL_EPOCH) {
      this.reset()
      return
    }
    if (errorCode !== ErrorCode.NONE) {
      if (errorCode === ErrorCode.SHARE_SESSION_NOT_FOUND || errorCode === ErrorCode.INVALID_SHARE_SESSION_EPOCH) {
        this.reset()
      }
      return
    }
    this.#partitions = new Set(request.next)
    this.#epoch = this.#epoch === MAX_EPOCH ? 1 : this.#epoch + 1
  }

  /** Starts over at epoch 0: after a session error, or a request whose answer was lost. */
  reset(): void {
    this.#epoch = INITIAL_EPOCH
    this.#partitions = new Set()
  }
}

function byTopic<T>(keys: readonly string[], entry: (key: string) => T): { topicId: string; partitions: T[] }[] {
  const topics = new Map<string, T[]>()
  for (const key of keys) {
    const { topicId } = parseKey(key)
    const list = topics.get(topicId) ?? []
    list.push(entry(key))
    topics.set(topicId, list)
  }
  return [...topics].map(([topicId, partitions]) => ({ topicId, partitions }))
}

export function sessionKey(topicId: string, partition: number): string {
  return keyOf({ topicId, partition })
}
