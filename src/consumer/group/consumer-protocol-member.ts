// A member of a consumer group under the KIP-848 protocol (groupProtocol: 'consumer', Kafka 4.x):
// one ConsumerGroupHeartbeat loop carries the subscription and the owned partitions to the group
// coordinator, which computes assignments itself (server-side assignor) and answers with this
// member's target assignment and epoch. The member reconciles towards the target: partitions no
// longer in it are revoked (handlers finish, offsets commit), new ones are assigned, and the next
// heartbeat, sent at once, acknowledges what the member now owns. Nothing stops the world: other
// members' partitions keep flowing throughout.
//
// States (MEMBER_STATES): joining (epoch 0 sent), reconciling (a new target is being applied),
// stable, fenced (the coordinator says our epoch is stale: partitions are lost, we join again with
// epoch 0), leaving (epoch -1, or -2 for a static member) and closed.

import { randomUUID } from 'node:crypto'
import type { Cluster } from '../../cluster/cluster.js'
import { CoordinatorType } from '../../cluster/coordinator-lookup.js'
import { Backoff, type ResolvedRetryOptions } from '../../common/backoff.js'
import { errorMessage } from '../../common/error-message.js'
import type { KafkaLogger } from '../../common/kafka-logger.js'
import { StateMachine, type TransitionTable } from '../../common/state-machine.js'
import {
  ConsumerGroupHeartbeat,
  type ConsumerGroupHeartbeatResponse,
  createConsumerGroupHeartbeatRequestTopicPartitions,
} from '../../protocol/generated/consumer-group-heartbeat.js'
import { ErrorCode, protocolError } from '../../protocol/generated/errors.js'
import type { CommitIdentity } from '../offsets/group-offsets.js'
import { Signal } from '../signal.js'
import { listTopics } from '../topic-names.js'
import { groupByTopic, PartitionMap, type TopicPartition } from '../topic-partition.js'
import { ListenerQueue } from './listener-queue.js'
import type { GroupMembership, MembershipEvents, RebalanceListener } from './membership.js'

export const CONSUMER_MEMBER_STATES = [
  'unjoined',
  'joining',
  'reconciling',
  'stable',
  'fenced',
  'leaving',
  'closed',
] as const
export type ConsumerMemberState = (typeof CONSUMER_MEMBER_STATES)[number]

const TRANSITIONS: TransitionTable<ConsumerMemberState> = {
  unjoined: ['joining', 'leaving', 'closed'],
  joining: ['reconciling', 'stable', 'fenced', 'unjoined', 'leaving', 'closed'],
  reconciling: ['stable', 'fenced', 'unjoined', 'leaving', 'closed'],
  stable: ['reconciling', 'fenced', 'unjoined', 'leaving', 'closed'],
  fenced: ['joining', 'leaving', 'closed'],
  leaving: ['closed'],
  closed: [],
}

const JOIN_EPOCH = 0
const LEAVE_EPOCH = -1
const STATIC_LEAVE_EPOCH = -2
/** Version 1 (Kafka 4.0) has the client choose its member id and adds regex subscriptions. */
const CLIENT_MEMBER_ID_VERSION = 1
/** Leaving is best effort on the way out: a bound of its own, not a broker wait, so it replaces the connection's timeout. */
const LEAVE_TIMEOUT = 5000

export interface ConsumerProtocolMemberOptions {
  cluster: Cluster
  /** Knows topic ids and names (the fetch cluster's metadata). */
  metadata: Cluster
  groupId: string
  groupInstanceId: string | null
  rebalanceTimeout: number
  rackId: string | null
  serverAssignor: string | null
  retry: ResolvedRetryOptions
  logger: KafkaLogger
  /** Topics named literally; patterns go to the broker as one regex. */
  subscription: () => { topics: string[]; regex: string | null }
  listener: RebalanceListener
  events: MembershipEvents
}

export class ConsumerProtocolMember implements GroupMembership {
  readonly #o: ConsumerProtocolMemberOptions
  readonly #state: StateMachine<ConsumerMemberState>
  readonly #wake = new Signal()
  #memberId = ''
  #epoch = JOIN_EPOCH
  #heartbeatInterval = 3000
  readonly #owned = new PartitionMap<TopicPartition>()
  /** The latest target assignment (topic id -> partitions), until reconciled. */
  #target: Map<string, number[]> | undefined
  #stopping = false
  #loop: Promise<void> | undefined
  #firstJoin: { resolve: () => void; reject: (error: Error) => void } | undefined
  #heartbeatNow = true
  readonly #listeners: ListenerQueue
  #reconciling = false
  #joinedAt = Date.now()
  /** What the last accepted heartbeat carried, to send only changes. */
  #lastSent: { topics: string; regex: string | null; owned: string } | undefined

  constructor(options: ConsumerProtocolMemberOptions) {
    this.#o = options
    this.#listeners = new ListenerQueue(options.listener, options.logger, options.groupId)
    this.#state = new StateMachine(`group ${options.groupId} member`, 'unjoined', TRANSITIONS, options.logger)
  }

  get memberId(): string {
    return this.#memberId
  }

  get generationId(): number {
    return this.#epoch
  }

  get isLeader(): boolean {
    return false
  }

  get state(): ConsumerMemberState {
    return this.#state.state
  }

  commitIdentity(): CommitIdentity | undefined {
    const s = this.#state.state
    if (s !== 'stable' && s !== 'reconciling' && s !== 'leaving') return undefined
    if (this.#epoch <= 0) return undefined
    return {
      generationIdOrMemberEpoch: this.#epoch,
      memberId: this.#memberId,
      groupInstanceId: this.#o.groupInstanceId,
    }
  }

  start(): Promise<void> {
    if (this.#loop !== undefined || this.#stopping) return Promise.resolve()
    const joined = new Promise<void>((resolve, reject) => {
      this.#firstJoin = { resolve, reject }
    })
    this.#state.transition('joining', 'start')
    this.#joinedAt = Date.now()
    this.#loop = this.#run()
    return joined
  }

  requestRejoin(reason: string): void {
    // the subscription goes with every heartbeat: sending one now is enough
    this.#o.logger.debug('Heartbeat requested', { groupId: this.#o.groupId, reason })
    this.#heartbeatNow = true
    this.#wake.notify()
  }

  async leave(): Promise<void> {
    if (this.#state.state === 'closed') return
    this.#stopping = true
    this.#wake.notify()
    const wasMember = this.#memberId !== '' && this.#epoch > 0
    if (this.#state.can('leaving')) this.#state.transition('leaving', 'consumer stopping')
    const owned = [...this.#owned.values()]
    this.#owned.clear()
    if (owned.length > 0) await this.#listeners.call('revoked', owned)
    if (wasMember) await this.#sendLeave()
    this.#state.transition('closed', 'left the group')
    this.#firstJoin?.resolve()
    this.#firstJoin = undefined
    await this.#loop
  }

  abandon(): void {
    this.#stopping = true
    this.#wake.notify()
    this.#owned.clear()
    if (this.#state.state !== 'closed') this.#state.transition('closed', 'abandoned')
  }

  async #run(): Promise<void> {
    const backoff = new Backoff(this.#o.retry)
    let next = 0
    while (!this.#stopping) {
      const wait = next - Date.now()
      if (!this.#heartbeatNow && wait > 0) {
        await this.#wake.wait(wait)
        continue
      }
      this.#heartbeatNow = false
      try {
        const response = await this.#heartbeat()
        if (this.#stopping) break
        backoff.succeed()
        if (response.errorCode !== ErrorCode.NONE) {
          const delay = await this.#handleError(response)
          next = Date.now() + delay
          continue
        }
        this.#heartbeatInterval =
          response.heartbeatIntervalMs > 0 ? response.heartbeatIntervalMs : this.#heartbeatInterval
        next = Date.now() + this.#heartbeatInterval
        this.#o.events.heartbeat({ groupId: this.#o.groupId, memberId: this.#memberId, groupGenerationId: this.#epoch })
        if (response.assignment !== null) {
          this.#target = new Map(response.assignment.topicPartitions.map((t) => [t.topicId, [...t.partitions]]))
        }
        if (this.#state.state === 'joining' && this.#target === undefined) continue
        if (this.#target !== undefined && !this.#reconciling) void this.#reconcile()
      } catch (error) {
        if (this.#stopping) break
        this.#o.cluster.invalidateCoordinatorOn(CoordinatorType.GROUP, this.#o.groupId, error)
        const delay = backoff.fail()
        this.#o.logger.warn(`Heartbeat failed; retrying in ${delay} ms`, {
          groupId: this.#o.groupId,
          error: errorMessage(error),
        })
        next = Date.now() + delay
      }
    }
  }

  async #heartbeat(): Promise<ConsumerGroupHeartbeatResponse> {
    const connection = await this.#o.cluster.coordinatorConnection(CoordinatorType.GROUP, this.#o.groupId)
    const version = connection.versionFor(ConsumerGroupHeartbeat)
    if (this.#memberId === '' && version >= CLIENT_MEMBER_ID_VERSION) this.#memberId = randomUUID()
    const { topics, regex } = this.#o.subscription()
    const owned = this.#ownedByTopicId()
    // fields that did not change since the last accepted heartbeat are sent as null: a "full"
    // request (all of them set) would make the coordinator send the whole assignment back each time
    const full = this.#epoch === JOIN_EPOCH || this.#lastSent === undefined
    const sent = {
      topics: JSON.stringify(topics),
      regex: version >= CLIENT_MEMBER_ID_VERSION ? regex : null,
      owned: JSON.stringify(owned),
    }
    const last = this.#lastSent
    const response = await connection.send(
      ConsumerGroupHeartbeat,
      ConsumerGroupHeartbeat.createRequest({
        groupId: this.#o.groupId,
        memberId: this.#memberId,
        memberEpoch: this.#epoch,
        instanceId: full ? this.#o.groupInstanceId : null,
        rackId: full ? this.#o.rackId : null,
        rebalanceTimeoutMs: full ? this.#o.rebalanceTimeout : -1,
        subscribedTopicNames: full || last?.topics !== sent.topics ? topics : null,
        subscribedTopicRegex: full || last?.regex !== sent.regex ? sent.regex : null,
        serverAssignor: full ? this.#o.serverAssignor : null,
        topicPartitions: full || last?.owned !== sent.owned ? owned : null,
      }),
      { version },
    )
    if (response.errorCode === ErrorCode.NONE) {
      if (response.memberId !== null && response.memberId !== '') this.#memberId = response.memberId
      this.#epoch = response.memberEpoch
      this.#lastSent = sent
    } else {
      this.#lastSent = undefined
    }
    return response
  }

  /** Owned partitions by topic id; those whose topic id is unknown are left out (they cannot be named). */
  #ownedByTopicId(): { topicId: string; partitions: number[] }[] {
    const ids = this.#topicIds()
    return groupByTopic(this.#owned.values()).flatMap(({ topic, partitions }) => {
      const topicId = ids.get(topic)
      return topicId === undefined ? [] : [createConsumerGroupHeartbeatRequestTopicPartitions({ topicId, partitions })]
    })
  }

  #topicIds(): Map<string, string> {
    const ids = new Map<string, string>()
    try {
      for (const [name, t] of this.#o.metadata.metadata.topics) ids.set(name, t.topicId)
    } catch {
      // metadata not loaded yet
    }
    return ids
  }

  /** Applies the latest target: revoke what left it, assign what joined it, then acknowledge. */
  async #reconcile(): Promise<void> {
    this.#reconciling = true
    try {
      while (this.#target !== undefined && !this.#stopping) {
        const target = this.#target
        const names = await this.#resolveNames([...target.keys()])
        if (this.#target !== target || this.#stopping) continue
        if (names === undefined) {
          // a topic id we cannot name yet: try again after the next heartbeat
          return
        }
        this.#target = undefined
        if (this.#state.state !== 'reconciling') this.#state.transition('reconciling', 'new target assignment')
        const wanted = new PartitionMap<TopicPartition>()
        for (const [topicId, partitions] of target) {
          const topic = names.get(topicId)!
          for (const partition of partitions) wanted.set(topic, partition, { topic, partition })
        }
        const revoked = [...this.#owned.values()].filter((tp) => !wanted.has(tp.topic, tp.partition))
        const added = [...wanted.values()].filter((tp) => !this.#owned.has(tp.topic, tp.partition))
        const first = this.#firstJoin !== undefined
        if (revoked.length === 0 && added.length === 0 && !first) {
          if (this.#state.state === 'reconciling') this.#state.transition('stable', 'target already owned')
          continue
        }
        if (revoked.length > 0) {
          await this.#listeners.call('revoked', revoked)
          for (const tp of revoked) this.#owned.delete(tp.topic, tp.partition)
        }
        for (const tp of added) this.#owned.set(tp.topic, tp.partition, tp)
        // acknowledge at once: the coordinator hands our revoked partitions over only after this
        this.#heartbeatNow = true
        this.#wake.notify()
        if (added.length > 0) await this.#listeners.call('assigned', added)
        if (this.#stopping) return
        if (this.#target === undefined && this.#state.state === 'reconciling') {
          this.#state.transition('stable', `reconciled epoch ${this.#epoch}`)
        }
        const joined = {
          groupId: this.#o.groupId,
          memberId: this.#memberId,
          leaderId: '',
          isLeader: false,
          memberAssignment: Object.fromEntries(groupByTopic(this.#owned.values()).map((t) => [t.topic, t.partitions])),
          groupProtocol: this.#o.serverAssignor ?? 'consumer',
          duration: Date.now() - this.#joinedAt,
        }
        this.#o.events.groupJoin(joined)
        // KafkaJS logs the group_join payload itself
        this.#o.logger.info('Consumer has joined the group', joined)
        this.#firstJoin?.resolve()
        this.#firstJoin = undefined
      }
    } finally {
      this.#reconciling = false
    }
  }

  /** Topic id -> name for `ids`, refreshing metadata once when one is missing; undefined if still missing. */
  async #resolveNames(ids: string[]): Promise<Map<string, string> | undefined> {
    const lookup = (): Map<string, string> | undefined => {
      const byId = new Map<string, string>()
      for (const [name, id] of this.#topicIds()) byId.set(id, name)
      const out = new Map<string, string>()
      for (const id of ids) {
        const name = byId.get(id)
        if (name === undefined) return undefined
        out.set(id, name)
      }
      return out
    }
    const found = lookup()
    if (found !== undefined) return found
    try {
      // a topic the broker's regex matched may be unknown here: find its name by id, then load it
      const all = await listTopics(this.#o.metadata, this.#o.retry)
      const names = all.filter((t) => ids.includes(t.topicId)).map((t) => t.name)
      await this.#o.metadata.refreshMetadata([...this.#o.subscription().topics, ...names])
    } catch (error) {
      this.#o.logger.debug('Metadata refresh failed', { error: errorMessage(error) })
    }
    return lookup()
  }

  /** What a heartbeat error means; returns how long to wait before the next heartbeat. */
  async #handleError(response: ConsumerGroupHeartbeatResponse): Promise<number> {
    const code = response.errorCode
    const error = protocolError(
      code,
      `ConsumerGroupHeartbeat ${this.#o.groupId}${response.errorMessage ? `: ${response.errorMessage}` : ''}`,
    )
    switch (code) {
      case ErrorCode.FENCED_MEMBER_EPOCH:
      case ErrorCode.UNKNOWN_MEMBER_ID: {
        this.#o.logger.warn('The coordinator fenced this member; its partitions are lost, joining again', {
          groupId: this.#o.groupId,
          memberId: this.#memberId,
          error: error.type,
        })
        if (this.#state.can('fenced')) this.#state.transition('fenced', error.type)
        const owned = [...this.#owned.values()]
        this.#owned.clear()
        this.#target = undefined
        if (owned.length > 0) await this.#listeners.call('lost', owned)
        this.#epoch = JOIN_EPOCH
        this.#lastSent = undefined
        if (code === ErrorCode.UNKNOWN_MEMBER_ID && this.#memberId !== '') this.#memberId = ''
        if (this.#state.can('joining')) this.#state.transition('joining', 'rejoin after fencing')
        return 0
      }
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
      case ErrorCode.UNRELEASED_INSTANCE_ID:
        this.#o.cluster.invalidateCoordinatorOn(CoordinatorType.GROUP, this.#o.groupId, error)
        return this.#o.retry.initialRetryTime
      default: {
        // FENCED_INSTANCE_ID, UNSUPPORTED_ASSIGNOR, GROUP_MAX_SIZE_REACHED, authorization, INVALID_REQUEST, ...
        this.#o.logger.error('Cannot stay in the group', { groupId: this.#o.groupId, error: error.message })
        this.abandon()
        this.#firstJoin?.reject(error)
        this.#firstJoin = undefined
        this.#o.events.fatal(error)
        return 0
      }
    }
  }

  async #sendLeave(): Promise<void> {
    const epoch = this.#o.groupInstanceId === null ? LEAVE_EPOCH : STATIC_LEAVE_EPOCH
    try {
      const connection = await this.#o.cluster.coordinatorConnection(CoordinatorType.GROUP, this.#o.groupId)
      const response = await connection.send(
        ConsumerGroupHeartbeat,
        ConsumerGroupHeartbeat.createRequest({
          groupId: this.#o.groupId,
          memberId: this.#memberId,
          memberEpoch: epoch,
          instanceId: this.#o.groupInstanceId,
        }),
        { timeout: LEAVE_TIMEOUT },
      )
      if (response.errorCode !== ErrorCode.NONE)
        throw protocolError(response.errorCode, 'ConsumerGroupHeartbeat (leave)')
    } catch (error) {
      this.#o.logger.warn('Leaving the group failed', {
        groupId: this.#o.groupId,
        error: errorMessage(error),
      })
    }
    this.#epoch = JOIN_EPOCH
  }
}
