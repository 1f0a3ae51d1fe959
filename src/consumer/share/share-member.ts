// A member of a share group (KIP-932): one ShareGroupHeartbeat loop at the group coordinator carries
// the subscription, and the coordinator assigns partitions itself (server-side, several members may
// share a partition). Unlike a consumer group there is nothing to revoke or commit: records are
// acquired per fetch and acknowledged per record, so a new assignment simply replaces the old one
// and the fetcher fetches what is now assigned.
//
// States (SHARE_MEMBER_STATES): joining (epoch 0 sent, or rejoining after the coordinator fenced
// us), stable (an epoch and an assignment), leaving (epoch -1 sent), closed. The member id is the
// client's own (a UUID, kept for the member's life, as Java's share consumer does).

import { randomUUID } from 'node:crypto'
import type { Cluster } from '../../cluster/cluster.js'
import { CoordinatorType } from '../../cluster/coordinator-lookup.js'
import { Backoff, type ResolvedRetryOptions } from '../../common/backoff.js'
import { errorMessage } from '../../common/error-message.js'
import type { KafkaLogger } from '../../common/kafka-logger.js'
import { StateMachine, type TransitionTable } from '../../common/state-machine.js'
import { KafkaJSServerDoesNotSupportApiKey, KafkaJSShareGroupsNotEnabledError } from '../../errors.js'
import { ErrorCode, protocolError } from '../../protocol/generated/errors.js'
import {
  ShareGroupHeartbeat,
  type ShareGroupHeartbeatResponse,
} from '../../protocol/generated/share-group-heartbeat.js'
import { Signal } from '../signal.js'
import { groupByTopic, type TopicPartition } from '../topic-partition.js'

export const SHARE_MEMBER_STATES = ['unjoined', 'joining', 'stable', 'leaving', 'closed'] as const
export type ShareMemberState = (typeof SHARE_MEMBER_STATES)[number]

const TRANSITIONS: TransitionTable<ShareMemberState> = {
  unjoined: ['joining', 'closed'],
  joining: ['stable', 'leaving', 'closed'],
  stable: ['joining', 'leaving', 'closed'],
  leaving: ['closed'],
  closed: [],
}

const JOIN_EPOCH = 0
const LEAVE_EPOCH = -1
/** Leaving is best effort on the way out: a bound of its own, not a broker wait. */
const LEAVE_TIMEOUT = 5000

export interface ShareMemberEvents {
  heartbeat(payload: { groupId: string; memberId: string; groupGenerationId: number }): void
  groupJoin(payload: { groupId: string; memberId: string; memberAssignment: Record<string, number[]> }): void
  /** The member cannot stay in the group (share groups disabled, authorization, group full, ...). */
  fatal(error: Error): void
}

export interface ShareMemberOptions {
  /** For the group coordinator. */
  cluster: Cluster
  /** Knows topic ids and names (the fetch cluster's metadata). */
  metadata: Cluster
  groupId: string
  rackId: string | null
  topics: readonly string[]
  retry: ResolvedRetryOptions
  logger: KafkaLogger
  /** Every new assignment, topic names resolved (partitions of topics not yet named are left out until they are). */
  onAssignment(partitions: TopicPartition[]): void
  events: ShareMemberEvents
}

export class ShareMember {
  readonly #o: ShareMemberOptions
  readonly #state: StateMachine<ShareMemberState>
  readonly #wake = new Signal()
  readonly memberId = randomUUID()
  #epoch = JOIN_EPOCH
  #interval = 5000
  #stopping = false
  #loop: Promise<void> | undefined
  /** The assignment as the coordinator sent it (topic id -> partitions), until every topic is named. */
  #target: Map<string, number[]> | undefined
  #sentSubscription = false
  #firstAssignment: { resolve: () => void; reject: (error: Error) => void } | undefined

  constructor(options: ShareMemberOptions) {
    this.#o = options
    this.#state = new StateMachine(`share group ${options.groupId} member`, 'unjoined', TRANSITIONS, options.logger)
  }

  get state(): ShareMemberState {
    return this.#state.state
  }

  get memberEpoch(): number {
    return this.#epoch
  }

  /** Joins; resolves with the first assignment (which may be empty), rejects when the group refuses the member. */
  start(): Promise<void> {
    const joined = new Promise<void>((resolve, reject) => {
      this.#firstAssignment = { resolve, reject }
    })
    this.#state.transition('joining', 'start')
    this.#loop = this.#run()
    return joined
  }

  async leave(): Promise<void> {
    if (this.#state.state === 'closed') return
    this.#stopping = true
    this.#wake.notify()
    await this.#loop
    const wasMember = this.#epoch > 0
    if (this.#state.can('leaving')) this.#state.transition('leaving', 'share consumer stopping')
    if (wasMember) await this.#sendLeave()
    this.#state.transition('closed', 'left the group')
    this.#firstAssignment?.resolve()
    this.#firstAssignment = undefined
  }

  async #run(): Promise<void> {
    const backoff = new Backoff(this.#o.retry)
    while (!this.#stopping) {
      let delay: number
      try {
        const response = await this.#heartbeat()
        backoff.succeed()
        if (this.#stopping) break
        delay = response.errorCode === ErrorCode.NONE ? await this.#accepted(response) : this.#refused(response)
      } catch (error) {
        if (this.#stopping) break
        if (error instanceof KafkaJSServerDoesNotSupportApiKey) {
          this.#fail(notEnabled(this.#o.groupId, error))
          break
        }
        this.#o.cluster.invalidateCoordinatorOn(CoordinatorType.GROUP, this.#o.groupId, error)
        delay = backoff.fail()
        this.#o.logger.warn(`Share group heartbeat failed; retrying in ${delay} ms`, {
          groupId: this.#o.groupId,
          error: errorMessage(error),
        })
      }
      if (this.#state.state === 'closed') break
      await this.#wake.wait(delay)
    }
  }

  async #heartbeat(): Promise<ShareGroupHeartbeatResponse> {
    const connection = await this.#o.cluster.coordinatorConnection(CoordinatorType.GROUP, this.#o.groupId)
    // the subscription and rack go with the join and after any refusal; null means "unchanged"
    const full = this.#epoch === JOIN_EPOCH || !this.#sentSubscription
    const response = await connection.send(
      ShareGroupHeartbeat,
      ShareGroupHeartbeat.createRequest({
        groupId: this.#o.groupId,
        memberId: this.memberId,
        memberEpoch: this.#epoch,
        rackId: full ? this.#o.rackId : null,
        subscribedTopicNames: full ? [...this.#o.topics] : null,
      }),
    )
    this.#sentSubscription = response.errorCode === ErrorCode.NONE
    return response
  }

  /** A heartbeat the coordinator accepted; returns the wait until the next one. */
  async #accepted(response: ShareGroupHeartbeatResponse): Promise<number> {
    this.#epoch = response.memberEpoch
    if (response.heartbeatIntervalMs > 0) this.#interval = response.heartbeatIntervalMs
    this.#o.events.heartbeat({ groupId: this.#o.groupId, memberId: this.memberId, groupGenerationId: this.#epoch })
    if (response.assignment !== null) {
      this.#target = new Map(response.assignment.topicPartitions.map((t) => [t.topicId, [...t.partitions]]))
    }
    if (this.#target !== undefined) await this.#apply(this.#target)
    return this.#interval
  }

  /** Names the target's topics and hands the assignment over; a topic not yet named waits for the next heartbeat. */
  async #apply(target: Map<string, number[]>): Promise<void> {
    let names = this.#names()
    if ([...target.keys()].some((id) => !names.has(id))) {
      try {
        await this.#o.metadata.refreshMetadata(this.#o.topics)
      } catch (error) {
        this.#o.logger.debug('Metadata refresh failed', { groupId: this.#o.groupId, error: errorMessage(error) })
      }
      names = this.#names()
    }
    const partitions: TopicPartition[] = []
    for (const [topicId, list] of target) {
      const topic = names.get(topicId)
      if (topic !== undefined) for (const partition of list) partitions.push({ topic, partition })
    }
    const complete = [...target.keys()].every((id) => names.has(id))
    if (complete && this.#target === target) this.#target = undefined
    if (this.#state.state === 'joining') this.#state.transition('stable', `epoch ${this.#epoch}`)
    this.#o.onAssignment(partitions)
    const memberAssignment = Object.fromEntries(groupByTopic(partitions).map((t) => [t.topic, t.partitions]))
    const joined = { groupId: this.#o.groupId, memberId: this.memberId, memberAssignment }
    this.#o.events.groupJoin(joined)
    this.#o.logger.info('Share consumer has a new assignment', { ...joined, memberEpoch: this.#epoch })
    this.#firstAssignment?.resolve()
    this.#firstAssignment = undefined
  }

  #names(): Map<string, string> {
    const byId = new Map<string, string>()
    try {
      for (const [name, t] of this.#o.metadata.metadata.topics) byId.set(t.topicId, name)
    } catch {
      // metadata not loaded yet
    }
    return byId
  }

  /** A heartbeat error; returns the wait until the next heartbeat. */
  #refused(response: ShareGroupHeartbeatResponse): number {
    const code = response.errorCode
    const detail = `ShareGroupHeartbeat ${this.#o.groupId}${response.errorMessage ? `: ${response.errorMessage}` : ''}`
    const error = protocolError(code, detail)
    switch (code) {
      case ErrorCode.FENCED_MEMBER_EPOCH:
      case ErrorCode.UNKNOWN_MEMBER_ID:
        // records stay acquired by this member id until acknowledged or their locks expire: only the epoch restarts
        this.#o.logger.warn('The coordinator fenced this share group member; joining again', {
          groupId: this.#o.groupId,
          memberId: this.memberId,
          error: error.type,
        })
        this.#epoch = JOIN_EPOCH
        if (this.#state.state === 'stable') this.#state.transition('joining', error.type)
        return 0
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
        this.#o.cluster.invalidateCoordinatorOn(CoordinatorType.GROUP, this.#o.groupId, error)
        return this.#o.retry.initialRetryTime
      case ErrorCode.UNSUPPORTED_VERSION:
        this.#fail(notEnabled(this.#o.groupId, error))
        return 0
      default:
        // GROUP_MAX_SIZE_REACHED, GROUP_ID_NOT_FOUND (a consumer group has this id), authorization, INVALID_REQUEST, ...
        this.#fail(error)
        return 0
    }
  }

  #fail(error: Error): void {
    this.#o.logger.error('Cannot stay in the share group', { groupId: this.#o.groupId, error: error.message })
    this.#stopping = true
    if (this.#state.state !== 'closed') this.#state.transition('closed', error.message)
    if (this.#firstAssignment !== undefined) this.#firstAssignment.reject(error)
    else this.#o.events.fatal(error)
    this.#firstAssignment = undefined
  }

  async #sendLeave(): Promise<void> {
    try {
      const connection = await this.#o.cluster.coordinatorConnection(CoordinatorType.GROUP, this.#o.groupId)
      const response = await connection.send(
        ShareGroupHeartbeat,
        ShareGroupHeartbeat.createRequest({
          groupId: this.#o.groupId,
          memberId: this.memberId,
          memberEpoch: LEAVE_EPOCH,
        }),
        { timeout: LEAVE_TIMEOUT },
      )
      if (response.errorCode !== ErrorCode.NONE) throw protocolError(response.errorCode, 'ShareGroupHeartbeat (leave)')
    } catch (error) {
      this.#o.logger.warn('Leaving the share group failed', { groupId: this.#o.groupId, error: errorMessage(error) })
    }
    this.#epoch = JOIN_EPOCH
  }
}

export function notEnabled(groupId: string, cause: unknown): KafkaJSShareGroupsNotEnabledError {
  return new KafkaJSShareGroupsNotEnabledError(
    `Share group ${groupId}: the cluster does not serve share groups; its share.version feature is not enabled ` +
      '(Kafka 4.2 and later enable it on a new cluster; on 4.1, or a cluster formatted without it, run ' +
      'kafka-features.sh upgrade --feature share.version=1)',
    { cause },
  )
}
