// The fake cluster's state, shared by every API handler: nodes, topics and their partition logs,
// coordinators, producer ids, transactions and committed group offsets. Handlers (handlers/*.ts,
// and modules added beside them) read and change it; tests read it to check outcomes.

import { randomBytes } from 'node:crypto'
import { uuidFromBytes } from '../../src/protocol/primitives/uuid.js'
import { FakeGroups } from './groups.js'
import { PartitionLog } from './partition-log.js'

/** FindCoordinator's key types. */
export const CoordinatorKind = { group: 0, transaction: 1 } as const
export type CoordinatorKind = keyof typeof CoordinatorKind

export interface FakeTopic {
  name: string
  /** Base64 topic id, as the protocol layer carries it. */
  id: string
  partitions: PartitionLog[]
  configs: Map<string, string | null>
}

export interface CommittedOffset {
  offset: bigint
  leaderEpoch: number
  metadata: string | null
}

/** Who a TxnOffsetCommit says it commits for. */
export interface GroupMemberIdentity {
  groupId: string
  memberId: string
  generationId: number
  groupInstanceId: string | null
}

export type TransactionState = 'Empty' | 'Ongoing' | 'CompleteCommit' | 'CompleteAbort'

/** A transactional id's state at its coordinator (Kafka's TransactionMetadata, reduced). */
export interface TransactionEntry {
  transactionalId: string
  producerId: bigint
  producerEpoch: number
  timeoutMs: number
  state: TransactionState
  /** Partitions in the open transaction, as topic-partition keys. */
  partitions: Set<string>
  /** Groups whose offsets the open transaction commits. */
  groups: Set<string>
  /** Offsets committed in the open transaction: group -> partition key -> offset. */
  pendingOffsets: Map<string, Map<string, CommittedOffset>>
}

export interface ModelOptions {
  nodeIds: number[]
  autoCreateTopics: boolean
  defaultPartitions: number
  duplicateSequenceError: boolean
}

/** Producer epochs are int16; at the last one a bump takes a new producer id, as Kafka does. */
const MAX_PRODUCER_EPOCH = 32767

export class ClusterModel {
  readonly topics = new Map<string, FakeTopic>()
  readonly transactions = new Map<string, TransactionEntry>()
  /** Group -> partition key -> committed offset (group coordinator and transactions both write it). */
  readonly committedOffsets = new Map<string, Map<string, CommittedOffset>>()
  /**
   * Set by a group coordinator module: checks a TxnOffsetCommit's member and generation against its
   * groups (KIP-447), returning the error code that refuses it or undefined. Without one, any passes.
   */
  validateGroupMember: ((member: GroupMemberIdentity) => number | undefined) | undefined
  /** The group coordinator's groups (classic and KIP-848), see groups.ts. */
  readonly groups: FakeGroups = new FakeGroups(this)
  readonly #coordinators = new Map<string, number>()
  readonly #appendListeners = new Set<() => void>()
  #nextProducerId = 1000n

  constructor(readonly options: ModelOptions) {}

  get nodeIds(): number[] {
    return this.options.nodeIds
  }

  /** Creates a topic whose partition i is led by node i mod n (every node a replica); returns it. */
  createTopic(name: string, partitions = this.options.defaultPartitions): FakeTopic {
    const existing = this.topics.get(name)
    if (existing !== undefined) return existing
    const nodes = this.options.nodeIds
    const topic: FakeTopic = {
      name,
      id: uuidFromBytes(randomBytes(16), 0),
      partitions: Array.from(
        { length: partitions },
        (_, i) => new PartitionLog(name, i, nodes[i % nodes.length]!, [...nodes], this.options),
      ),
      configs: new Map(),
    }
    this.topics.set(name, topic)
    return topic
  }

  topicById(id: string): FakeTopic | undefined {
    for (const topic of this.topics.values()) if (topic.id === id) return topic
    return undefined
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition]
  }

  /** Moves a partition's leadership to `node` (a new leader epoch), as a broker failover would. */
  moveLeader(topic: string, partition: number, node: number): void {
    const log = this.partition(topic, partition)
    if (log === undefined) throw new Error(`no partition ${topic}-${partition}`)
    if (!this.options.nodeIds.includes(node)) throw new Error(`no node ${node}`)
    log.elect(node)
  }

  /**
   * An unclean leader election: `node`, a replica that fell out of sync and holds the log only up to
   * `truncateTo`, becomes the leader (a new leader epoch beginning there). What the old leader had
   * from that offset on is gone; the next appends take those offsets again.
   */
  uncleanElection(topic: string, partition: number, node: number, truncateTo: bigint): void {
    const log = this.partition(topic, partition)
    if (log === undefined) throw new Error(`no partition ${topic}-${partition}`)
    if (!this.options.nodeIds.includes(node)) throw new Error(`no node ${node}`)
    log.truncateTo(truncateTo)
    log.elect(node)
  }

  coordinatorFor(kind: CoordinatorKind, key: string): number {
    return this.#coordinators.get(`${kind}:${key}`) ?? this.options.nodeIds[0]!
  }

  /** Moves the coordinator of a group or transactional id to `node`. */
  moveCoordinator(kind: CoordinatorKind, key: string, node: number): void {
    if (!this.options.nodeIds.includes(node)) throw new Error(`no node ${node}`)
    this.#coordinators.set(`${kind}:${key}`, node)
  }

  nextProducerId(): bigint {
    const id = this.#nextProducerId
    this.#nextProducerId++
    return id
  }

  /** Bumps a transactional id's epoch; at the last epoch it gets a new producer id at epoch 0. */
  bumpEpoch(entry: TransactionEntry): void {
    if (entry.producerEpoch >= MAX_PRODUCER_EPOCH - 1) {
      entry.producerId = this.nextProducerId()
      entry.producerEpoch = 0
    } else {
      entry.producerEpoch++
    }
  }

  /**
   * Ends the open transaction of `entry`: writes its markers to every partition it wrote to, and
   * applies (commit) or drops (abort) the offsets it committed.
   */
  completeTransaction(entry: TransactionEntry, committed: boolean): void {
    for (const key of entry.partitions) {
      const [topic, partition] = splitPartitionKey(key)
      this.partition(topic, partition)?.writeMarker(entry.producerId, entry.producerEpoch, committed)
    }
    if (committed) {
      for (const [group, offsets] of entry.pendingOffsets) {
        for (const [key, offset] of offsets) this.groupOffsets(group).set(key, offset)
      }
    }
    entry.partitions.clear()
    entry.groups.clear()
    entry.pendingOffsets.clear()
    entry.state = committed ? 'CompleteCommit' : 'CompleteAbort'
    this.notifyAppend()
  }

  /** The committed offsets of a group, created empty on first use. */
  groupOffsets(group: string): Map<string, CommittedOffset> {
    return getOrCreate(this.committedOffsets, group, () => new Map())
  }

  /** Calls `listener` after the next write to any log; returns a function that stops it. */
  onAppend(listener: () => void): () => void {
    this.#appendListeners.add(listener)
    return () => this.#appendListeners.delete(listener)
  }

  notifyAppend(): void {
    for (const listener of [...this.#appendListeners]) listener()
  }
}

/** The key a topic-partition has in the model's maps. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

export function splitPartitionKey(key: string): [string, number] {
  const at = key.lastIndexOf('\u0000')
  return [key.slice(0, at), Number(key.slice(at + 1))]
}

export function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key)
  if (value === undefined) {
    value = create()
    map.set(key, value)
  }
  return value
}
