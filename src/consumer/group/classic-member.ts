// A member of a consumer group under the classic protocol: JoinGroup, SyncGroup (the leader runs the
// assignor), Heartbeat and LeaveGroup, as Java's AbstractCoordinator/ConsumerCoordinator do.
//
// The member state is an explicit state machine (MEMBER_STATES). Rebalances run in one loop (#run),
// one at a time; heartbeats run on their own timer, independent of how long message handlers take,
// and only set flags (rejoin needed, partitions lost) that the loop acts on. With an eager protocol
// every owned partition is revoked before joining; with a cooperative one (KIP-429) partitions keep
// flowing during the rebalance and only those assigned elsewhere are revoked afterwards, followed by
// one more rebalance that hands them over.

import type { Cluster } from '../../cluster/cluster.js'
import { CoordinatorType } from '../../cluster/coordinator-lookup.js'
import { Backoff, type ResolvedRetryOptions, sleep } from '../../common/backoff.js'
import { errorMessage, toError } from '../../common/error-message.js'
import type { KafkaLogger } from '../../common/kafka-logger.js'
import { StateMachine, type TransitionTable } from '../../common/state-machine.js'
import { KafkaJSError, KafkaJSNonRetriableError, KafkaJSProtocolError } from '../../errors.js'
import type { Connection } from '../../network/connection.js'
import { decodeConsumerProtocolAssignment } from '../../protocol/generated/consumer-protocol-assignment.js'
import { ErrorCode, protocolError } from '../../protocol/generated/errors.js'
import { Heartbeat } from '../../protocol/generated/heartbeat.js'
import {
  createJoinGroupRequestJoinGroupRequestProtocol,
  JoinGroup,
  type JoinGroupResponse,
} from '../../protocol/generated/join-group.js'
import { createLeaveGroupRequestMemberIdentity, LeaveGroup } from '../../protocol/generated/leave-group.js'
import { createSyncGroupRequestSyncGroupRequestAssignment, SyncGroup } from '../../protocol/generated/sync-group.js'
import type { CommitIdentity } from '../offsets/group-offsets.js'
import { Signal } from '../signal.js'
import { groupByTopic, keyOf, PartitionMap, type TopicPartition } from '../topic-partition.js'
import { AssignerProtocol } from './assigner-protocol.js'
import type { Assigner } from './assignors/assigner.js'
import { ListenerQueue } from './listener-queue.js'
import type { GroupMembership, MembershipEvents, RebalanceListener } from './membership.js'

export const MEMBER_STATES = [
  'unjoined',
  'preparing-rebalance',
  'completing-rebalance',
  'stable',
  'leaving',
  'closed',
] as const
export type MemberState = (typeof MEMBER_STATES)[number]

const TRANSITIONS: TransitionTable<MemberState> = {
  unjoined: ['preparing-rebalance', 'leaving', 'closed'],
  'preparing-rebalance': ['completing-rebalance', 'unjoined', 'leaving', 'closed'],
  'completing-rebalance': ['stable', 'unjoined', 'leaving', 'closed'],
  stable: ['preparing-rebalance', 'unjoined', 'leaving', 'closed'],
  leaving: ['closed'],
  closed: [],
}

export const PROTOCOL_TYPE = 'consumer'
/**
 * LeaveGroup on shutdown is best effort and must not hold up a prompt stop: a bound of its own, not
 * a broker wait, so it replaces the connection's timeout.
 */
const LEAVE_TIMEOUT = 5000
/** JoinGroup v4+ answers a first join with MEMBER_ID_REQUIRED and the id to join with. */
const MAX_MEMBER_ID_ROUNDS = 3

export interface ClassicMemberOptions {
  cluster: Cluster
  groupId: string
  groupInstanceId: string | null
  sessionTimeout: number
  rebalanceTimeout: number
  heartbeatInterval: number
  rackId: string | null
  assigners: readonly Assigner[]
  retry: ResolvedRetryOptions
  logger: KafkaLogger
  /** The topics this member subscribes to now (regex subscriptions resolved). */
  subscription: () => string[]
  /** Before the leader assigns: metadata for every topic the group subscribes to must be loaded. */
  loadTopics: (topics: string[]) => Promise<void>
  listener: RebalanceListener
  events: MembershipEvents
}

/** Thrown inside the rebalance loop when leave() interrupted it. */
class Stopped extends Error {}

/**
 * What the application's assigner threw (protocol() or assign()). KafkaJS crashes the consumer with
 * that very error, restarting it when the error is retriable; a broker's error while joining is
 * retried here instead.
 */
class AssignerFailure {
  constructor(readonly error: unknown) {}
}

async function callAssigner<T>(call: () => T | Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw new AssignerFailure(error)
  }
}

export class ClassicGroupMember implements GroupMembership {
  readonly #o: ClassicMemberOptions
  readonly #state: StateMachine<MemberState>
  readonly #protocol: 'eager' | 'cooperative'
  readonly #wake = new Signal()
  #memberId = ''
  #generationId = -1
  #leaderId = ''
  #protocolName = ''
  readonly #owned = new PartitionMap<TopicPartition>()
  #rejoinReason: string | undefined = 'initial join'
  #lost = false
  #stopping = false
  /** leave() was called: the rebalance in progress may finish, no new one starts. */
  #leaving = false
  #rebalancing: Promise<void> | undefined
  #loop: Promise<void> | undefined
  #firstJoin: { resolve: () => void; reject: (error: Error) => void } | undefined
  #heartbeatTimer: NodeJS.Timeout | undefined
  #heartbeatInFlight = false
  #lastHeartbeat = 0
  readonly #listeners: ListenerQueue

  constructor(options: ClassicMemberOptions) {
    this.#o = options
    this.#listeners = new ListenerQueue(options.listener, options.logger, options.groupId)
    this.#state = new StateMachine(`group ${options.groupId} member`, 'unjoined', TRANSITIONS, options.logger)
    this.#protocol = options.assigners.every((a) => a.rebalanceProtocol === 'cooperative') ? 'cooperative' : 'eager'
  }

  get memberId(): string {
    return this.#memberId
  }

  get generationId(): number {
    return this.#generationId
  }

  get isLeader(): boolean {
    return this.#memberId !== '' && this.#memberId === this.#leaderId
  }

  get state(): MemberState {
    return this.#state.state
  }

  get rebalanceProtocol(): 'eager' | 'cooperative' {
    return this.#protocol
  }

  commitIdentity(): CommitIdentity | undefined {
    if (this.#state.state !== 'stable' && this.#state.state !== 'leaving') return undefined
    return {
      generationIdOrMemberEpoch: this.#generationId,
      memberId: this.#memberId,
      groupInstanceId: this.#o.groupInstanceId,
    }
  }

  start(): Promise<void> {
    if (this.#loop !== undefined || this.#stopping) return Promise.resolve()
    const joined = new Promise<void>((resolve, reject) => {
      this.#firstJoin = { resolve, reject }
    })
    this.#loop = this.#run()
    this.#startHeartbeat()
    return joined
  }

  requestRejoin(reason: string): void {
    if (this.#stopping || this.#leaving) return
    this.#rejoinReason ??= reason
    this.#wake.notify()
  }

  async leave(): Promise<void> {
    if (this.#state.state === 'closed' || this.#leaving) return
    this.#leaving = true
    this.#wake.notify()
    // In the middle of a rebalance the coordinator refuses commits (REBALANCE_IN_PROGRESS, or
    // ILLEGAL_GENERATION once it moved on): let the rebalance finish, so that the partitions still
    // owned are committed with a generation it accepts. Without partitions there is nothing to wait for.
    if (this.#owned.size > 0 && this.#rebalancing !== undefined) {
      await settleWithin(this.#rebalancing, this.#o.rebalanceTimeout)
    }
    this.#stopping = true
    this.#stopHeartbeat()
    this.#wake.notify()
    const wasMember = this.#memberId !== '' && this.#state.state !== 'unjoined'
    if (this.#state.can('leaving')) this.#state.transition('leaving', 'consumer stopping')
    const owned = this.#takeOwned()
    // fenced meanwhile: the partitions are someone else's already, not ours to commit
    if (owned.length > 0) await this.#listeners.call(this.#lost ? 'lost' : 'revoked', owned)
    this.#lost = false
    // static members keep their place: a restart within the session timeout causes no rebalance
    if (wasMember && this.#o.groupInstanceId === null) await this.#sendLeaveGroup()
    this.#state.transition('closed', 'left the group')
    this.#firstJoin?.reject(new KafkaJSNonRetriableError('The consumer stopped before joining the group'))
    this.#firstJoin = undefined
  }

  abandon(): void {
    this.#stopping = true
    this.#stopHeartbeat()
    this.#wake.notify()
    this.#takeOwned()
    if (this.#state.state !== 'closed') this.#state.transition('closed', 'abandoned')
  }

  async #run(): Promise<void> {
    const backoff = new Backoff(this.#o.retry)
    while (!this.#stopping) {
      if (this.#lost) {
        this.#lost = false
        const owned = this.#takeOwned()
        if (owned.length > 0) await this.#listeners.call('lost', owned)
      }
      if (this.#rejoinReason === undefined || this.#leaving) {
        await this.#wake.wait()
        continue
      }
      try {
        this.#rebalancing = this.#rebalance(this.#rejoinReason)
        try {
          await this.#rebalancing
        } finally {
          this.#rebalancing = undefined
        }
        backoff.succeed()
      } catch (error) {
        if (this.#stopping || error instanceof Stopped) break
        if (error instanceof AssignerFailure) {
          this.#stopping = true
          this.#stopHeartbeat()
          const cause = toError(error.error)
          this.#firstJoin?.reject(cause)
          this.#firstJoin = undefined
          this.#o.events.fatal(cause)
          break
        }
        if (this.#state.can('unjoined') && this.#state.state !== 'unjoined') {
          this.#state.transition('unjoined', `rebalance failed: ${errorMessage(error)}`)
        }
        this.#rejoinReason ??= `retry after ${errorMessage(error)}`
        if (isFatal(error)) {
          this.#o.logger.error('Cannot join the group', { groupId: this.#o.groupId, error: errorMessage(error) })
          this.#stopping = true
          this.#stopHeartbeat()
          this.#firstJoin?.reject(error as Error)
          this.#firstJoin = undefined
          this.#o.events.fatal(error as Error)
          break
        }
        const delay = isImmediateRetry(error) ? 0 : backoff.fail()
        this.#o.logger.warn(`Rebalance failed; retrying in ${delay} ms`, {
          groupId: this.#o.groupId,
          memberId: this.#memberId,
          error: errorMessage(error),
        })
        if (delay > 0) await Promise.race([sleep(delay), this.#wake.wait()])
      }
    }
  }

  async #rebalance(reason: string): Promise<void> {
    const started = Date.now()
    if (this.#protocol === 'eager') {
      const owned = this.#takeOwned()
      if (owned.length > 0) await this.#listeners.call('revoked', owned)
      this.#checkStopping()
    }
    this.#rejoinReason = undefined
    this.#state.transition('preparing-rebalance', reason)
    const join = await this.#joinGroup(reason)
    this.#checkStopping()
    this.#generationId = join.generationId
    this.#memberId = join.memberId
    this.#leaderId = join.leader
    this.#protocolName = join.protocolName ?? ''
    this.#state.transition('completing-rebalance', `joined generation ${join.generationId}`)
    const assignments = this.isLeader && !join.skipAssignment ? await this.#assign(join) : []
    this.#checkStopping()
    const assignment = await this.#syncGroup(assignments)
    this.#checkStopping()
    this.#state.transition('stable', `synced generation ${this.#generationId}`)
    this.#lastHeartbeat = Date.now()
    // Fenced while this rebalance ran (a heartbeat during a long eager revocation): the flag is about
    // what was owned before it. Settle it here, or #run would take it as losing the new assignment,
    // which the coordinator still counts as ours, and nobody would fetch those partitions.
    if (this.#lost) {
      this.#lost = false
      const stale = this.#takeOwned()
      if (stale.length > 0) await this.#listeners.call('lost', stale)
    }

    const subscribed = new Set(this.#o.subscription())
    const unsubscribed = [...new Set(assignment.map((tp) => tp.topic))].filter((t) => !subscribed.has(t))
    if (unsubscribed.length > 0) {
      this.#o.events.receivedUnsubscribedTopics({
        groupId: this.#o.groupId,
        generationId: this.#generationId,
        memberId: this.#memberId,
        assignedTopics: [...new Set(assignment.map((tp) => tp.topic))],
        topicsSubscribed: [...subscribed],
        topicsNotSubscribed: unsubscribed,
      })
    }
    const accepted = assignment.filter((tp) => subscribed.has(tp.topic))
    const acceptedKeys = new Set(accepted.map(keyOf))
    const revoked = [...this.#owned.values()].filter((tp) => !acceptedKeys.has(keyOf(tp)))
    const added = accepted.filter((tp) => !this.#owned.has(tp.topic, tp.partition))
    if (revoked.length > 0) {
      for (const tp of revoked) this.#owned.delete(tp.topic, tp.partition)
      await this.#listeners.call('revoked', revoked)
      // the partitions were withheld from their new owners until we rejoin without them
      this.requestRejoin('partitions revoked, handing them over')
    }
    for (const tp of added) this.#owned.set(tp.topic, tp.partition, tp)
    if (added.length > 0) await this.#listeners.call('assigned', added)
    const joined = {
      groupId: this.#o.groupId,
      memberId: this.#memberId,
      leaderId: this.#leaderId,
      isLeader: this.isLeader,
      memberAssignment: toAssignmentObject(accepted, this.#o.subscription()),
      groupProtocol: this.#protocolName,
      duration: Date.now() - started,
    }
    this.#o.events.groupJoin(joined)
    // KafkaJS logs the group_join payload itself
    this.#o.logger.info('Consumer has joined the group', joined)
    this.#firstJoin?.resolve()
    this.#firstJoin = undefined
  }

  async #joinGroup(reason: string): Promise<JoinGroupResponse> {
    const topics = this.#o.subscription()
    const ownedPartitions = groupByTopic(this.#owned.values())
    const protocols = await callAssigner(() =>
      this.#o.assigners.flatMap((assigner) => {
        const state = assigner.protocol({
          topics,
          ownedPartitions,
          generationId: this.#generationId,
          rackId: this.#o.rackId,
        })
        const names = [state.name, ...(assigner.aliases ?? [])]
        return names.map((name) => createJoinGroupRequestJoinGroupRequestProtocol({ name, metadata: state.metadata }))
      }),
    )
    for (let round = 0; ; round++) {
      const connection = await this.#coordinator()
      const response = await this.#coordinatorRequest(() =>
        connection.send(
          JoinGroup,
          JoinGroup.createRequest({
            groupId: this.#o.groupId,
            sessionTimeoutMs: this.#o.sessionTimeout,
            rebalanceTimeoutMs: this.#o.rebalanceTimeout,
            memberId: this.#memberId,
            groupInstanceId: this.#o.groupInstanceId,
            protocolType: PROTOCOL_TYPE,
            protocols,
            reason,
          }),
          // the connection adds the rebalance timeout the broker may hold the JoinGroup for
        ),
      )
      if (response.errorCode === ErrorCode.MEMBER_ID_REQUIRED && round < MAX_MEMBER_ID_ROUNDS) {
        this.#memberId = response.memberId
        this.#checkStopping()
        continue
      }
      if (response.errorCode !== ErrorCode.NONE) throw this.#membershipError(response.errorCode, 'JoinGroup')
      return response
    }
  }

  async #assign(join: JoinGroupResponse): Promise<{ memberId: string; assignment: Buffer }[]> {
    const name = join.protocolName ?? ''
    const assigner = this.#o.assigners.find((a) => a.name === name || (a.aliases ?? []).includes(name))
    if (assigner === undefined) {
      throw new KafkaJSNonRetriableError(`The group chose assignor "${name}", which this member does not have`)
    }
    const members = join.members.map((m) => ({
      memberId: m.memberId,
      memberMetadata: m.metadata,
      groupInstanceId: m.groupInstanceId,
    }))
    // the topics of every member: the leader must know all their partitions
    const topics = new Set<string>()
    for (const m of members) {
      try {
        for (const t of AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? []) topics.add(t)
      } catch {
        // a custom assigner's own metadata format; its assign() reads it
      }
    }
    for (const t of this.#o.subscription()) topics.add(t)
    await this.#o.loadTopics([...topics])
    const result = await callAssigner(() => assigner.assign({ members, topics: [...topics] }))
    return result.map((r) => ({ memberId: r.memberId, assignment: r.memberAssignment }))
  }

  async #syncGroup(assignments: { memberId: string; assignment: Buffer }[]): Promise<TopicPartition[]> {
    const connection = await this.#coordinator()
    const response = await this.#coordinatorRequest(() =>
      connection.send(
        SyncGroup,
        SyncGroup.createRequest({
          groupId: this.#o.groupId,
          generationId: this.#generationId,
          memberId: this.#memberId,
          groupInstanceId: this.#o.groupInstanceId,
          protocolType: PROTOCOL_TYPE,
          protocolName: this.#protocolName,
          assignments: assignments.map((a) => createSyncGroupRequestSyncGroupRequestAssignment(a)),
        }),
        // the broker holds a follower's SyncGroup until the leader's assignment arrives, within the
        // rebalance timeout; SyncGroup has no field saying so, so the wait is named here
        { brokerWaitMs: this.#o.rebalanceTimeout },
      ),
    )
    if (response.errorCode !== ErrorCode.NONE) throw this.#membershipError(response.errorCode, 'SyncGroup')
    if (response.assignment.length === 0) return []
    const decoded = decodeConsumerProtocolAssignment(response.assignment)
    return decoded.assignedPartitions.flatMap(({ topic, partitions }) =>
      partitions.map((partition) => ({ topic, partition })),
    )
  }

  /**
   * Turns a JoinGroup/SyncGroup/Heartbeat error into what it means for this member: a new member id
   * (UNKNOWN_MEMBER_ID), a reset generation (ILLEGAL_GENERATION); either makes owned partitions lost.
   */
  #membershipError(errorCode: number, api: string): KafkaJSProtocolError {
    const error = protocolError(errorCode, `${api} ${this.#o.groupId}`)
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.#memberId = ''
      this.#generationId = -1
      this.#lost = true
    } else if (errorCode === ErrorCode.ILLEGAL_GENERATION) {
      this.#generationId = -1
      this.#lost = true
    }
    return error
  }

  async #coordinator(): Promise<Connection> {
    return this.#o.cluster.coordinatorConnection(CoordinatorType.GROUP, this.#o.groupId)
  }

  /** Sends to the coordinator; an error saying it moved makes the next request look it up again. */
  async #coordinatorRequest<T extends { errorCode: number }>(send: () => Promise<T>): Promise<T> {
    let response: T
    try {
      response = await send()
    } catch (error) {
      this.#o.cluster.invalidateCoordinatorOn(CoordinatorType.GROUP, this.#o.groupId, error)
      throw error
    }
    if (response.errorCode !== ErrorCode.NONE) {
      this.#o.cluster.invalidateCoordinatorOn(CoordinatorType.GROUP, this.#o.groupId, protocolError(response.errorCode))
    }
    return response
  }

  async #sendLeaveGroup(): Promise<void> {
    try {
      const connection = await this.#coordinator()
      // v3+ names the leaving members in a list (KIP-345); before, one member id
      const batched = connection.versionFor(LeaveGroup) >= 3
      const response = await connection.send(
        LeaveGroup,
        LeaveGroup.createRequest({
          groupId: this.#o.groupId,
          memberId: batched ? '' : this.#memberId,
          members: batched
            ? [
                createLeaveGroupRequestMemberIdentity({
                  memberId: this.#memberId,
                  groupInstanceId: this.#o.groupInstanceId,
                  reason: 'the consumer is stopping',
                }),
              ]
            : [],
        }),
        { timeout: LEAVE_TIMEOUT },
      )
      if (response.errorCode !== ErrorCode.NONE) throw protocolError(response.errorCode, 'LeaveGroup')
      this.#o.logger.debug('Left the group', { groupId: this.#o.groupId, memberId: this.#memberId })
    } catch (error) {
      // the session timeout removes the member anyway
      this.#o.logger.warn('LeaveGroup failed', { groupId: this.#o.groupId, error: errorMessage(error) })
    }
    this.#memberId = ''
    this.#generationId = -1
  }

  #startHeartbeat(): void {
    const tick = (): void => {
      this.#heartbeatTimer = undefined
      if (this.#stopping) return
      void this.#heartbeat().finally(() => {
        if (!this.#stopping) this.#heartbeatTimer = setTimeout(tick, this.#nextHeartbeatDelay())
      })
    }
    this.#heartbeatTimer = setTimeout(tick, this.#o.heartbeatInterval)
  }

  #nextHeartbeatDelay(): number {
    const since = Date.now() - this.#lastHeartbeat
    return Math.max(0, Math.min(this.#o.heartbeatInterval, this.#o.heartbeatInterval - since))
  }

  #stopHeartbeat(): void {
    if (this.#heartbeatTimer !== undefined) clearTimeout(this.#heartbeatTimer)
    this.#heartbeatTimer = undefined
  }

  /** One heartbeat, in the states where the coordinator expects them; its error only sets flags. */
  async #heartbeat(): Promise<void> {
    const state = this.#state.state
    if ((state !== 'stable' && state !== 'completing-rebalance') || this.#heartbeatInFlight) return
    const generationId = this.#generationId
    const memberId = this.#memberId
    this.#heartbeatInFlight = true
    try {
      const connection = await this.#coordinator()
      const response = await this.#coordinatorRequest(() =>
        connection.send(
          Heartbeat,
          Heartbeat.createRequest({
            groupId: this.#o.groupId,
            generationId,
            memberId,
            groupInstanceId: this.#o.groupInstanceId,
          }),
          // not a broker wait (the coordinator answers a heartbeat at once): a heartbeat unanswered
          // for longer than the session is of no use, one within it is still worth waiting for
          { timeout: Math.max(this.#o.heartbeatInterval, this.#o.sessionTimeout) },
        ),
      )
      // a rebalance started meanwhile: this answer is about the old generation
      if (generationId !== this.#generationId || memberId !== this.#memberId || this.#stopping) return
      this.#lastHeartbeat = Date.now()
      switch (response.errorCode) {
        case ErrorCode.NONE:
          this.#o.events.heartbeat({ groupId: this.#o.groupId, memberId, groupGenerationId: generationId })
          return
        case ErrorCode.REBALANCE_IN_PROGRESS:
          // KafkaJS's runner writes this entry when its heartbeat meets a rebalance
          this.#o.logger.namespace('Runner').warn('The group is rebalancing, re-joining', {
            groupId: this.#o.groupId,
            memberId,
            error: protocolError(response.errorCode).message,
          })
          this.#o.events.rebalancing({ groupId: this.#o.groupId, memberId })
          this.requestRejoin('the group is rebalancing')
          return
        case ErrorCode.UNKNOWN_MEMBER_ID:
        case ErrorCode.ILLEGAL_GENERATION:
          // KafkaJS's runner entry for a member the coordinator does not know
          this.#o.logger
            .namespace('Runner')
            .error('The coordinator is not aware of this member, re-joining the group', {
              groupId: this.#o.groupId,
              memberId,
              error: protocolError(response.errorCode).message,
            })
          this.#membershipError(response.errorCode, 'Heartbeat')
          this.requestRejoin('member fenced')
          return
        case ErrorCode.FENCED_INSTANCE_ID: {
          const error = protocolError(
            response.errorCode,
            `another consumer joined with groupInstanceId ${this.#o.groupInstanceId}`,
          )
          this.abandon()
          this.#o.events.fatal(error)
          return
        }
        default:
          this.#o.logger.debug('Heartbeat failed', {
            groupId: this.#o.groupId,
            error: protocolError(response.errorCode).type,
          })
      }
    } catch (error) {
      this.#o.logger.debug('Heartbeat failed', { groupId: this.#o.groupId, error: errorMessage(error) })
    } finally {
      this.#heartbeatInFlight = false
    }
  }

  /** Removes and returns every owned partition (the caller revokes or loses them). */
  #takeOwned(): TopicPartition[] {
    const owned = [...this.#owned.values()]
    this.#owned.clear()
    return owned
  }

  #checkStopping(): void {
    if (this.#stopping) throw new Stopped('stopping')
  }
}

/** Waits for `promise` to settle, at most `ms`. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    promise.then(
      () => {},
      () => {},
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms)
    }),
  ])
  clearTimeout(timer)
}

/**
 * GROUP_JOIN's memberAssignment: topics in the member's subscription order, as KafkaJS's payload
 * lists them (its assigners build the assignment in that order), then any others by name.
 */
function toAssignmentObject(
  partitions: readonly TopicPartition[],
  subscription: readonly string[],
): Record<string, number[]> {
  const rank = new Map(subscription.map((topic, i) => [topic, i]))
  const byRank = (t: { topic: string }) => rank.get(t.topic) ?? subscription.length
  const topics = groupByTopic(partitions).sort((a, b) => byRank(a) - byRank(b))
  const out: Record<string, number[]> = {}
  for (const { topic, partitions: list } of topics) out[topic] = list
  return out
}

/** Errors after which joining again cannot succeed without a change by the user. */
function isFatal(error: unknown): boolean {
  if (error instanceof KafkaJSProtocolError) {
    return [
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      ErrorCode.INVALID_SESSION_TIMEOUT,
      ErrorCode.GROUP_AUTHORIZATION_FAILED,
      ErrorCode.GROUP_MAX_SIZE_REACHED,
      ErrorCode.FENCED_INSTANCE_ID,
      ErrorCode.INVALID_GROUP_ID,
      ErrorCode.UNSUPPORTED_VERSION,
    ].includes(error.errorCode as never)
  }
  if (error instanceof KafkaJSError) return !error.retriable && !(error instanceof KafkaJSProtocolError)
  return !(error instanceof Error) || error.name === 'TypeError' || error.name === 'RangeError'
}

/** Membership errors that a new JoinGroup resolves at once. */
function isImmediateRetry(error: unknown): boolean {
  return (
    error instanceof KafkaJSProtocolError &&
    [ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.ILLEGAL_GENERATION, ErrorCode.REBALANCE_IN_PROGRESS].includes(
      error.errorCode as never,
    )
  )
}
