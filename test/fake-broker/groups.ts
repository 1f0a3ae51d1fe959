// The group coordinator's state (model.groups): classic groups (JoinGroup/SyncGroup/Heartbeat/
// LeaveGroup) and KIP-848 consumer groups (ConsumerGroupHeartbeat), kept small but as Kafka models
// them. The handlers (handlers/groups.ts) call into it; tests read it (members, ids, generations,
// epochs) and drive what Kafka drives by time: `expire(group, member)` is a session timeout.
//
// Invariants:
// 1. Classic: a rebalance completes when every member has sent its JoinGroup (a member that does not
//    rejoin stays until the test expires it); then the generation is bumped and every waiting join
//    is answered, the leader with the members' metadata. SyncGroup answers wait for the leader's.
// 2. Consumer (KIP-848): the group epoch is bumped by any change of members or subscriptions and the
//    target assignment recomputed (range per topic over the members subscribed to it, in join order).
//    A member first gives up (revokes) what is not in its target, at its old epoch; only then does it
//    get the target epoch and the partitions of its target no other member still owns.
// 3. Nothing waits on a timer: joins and syncs wait for other members' requests or for expire().

import { ErrorCode } from '../../src/protocol/generated/errors.js'
import type { ClusterModel } from './model.js'
import { partitionKey } from './model.js'

export type ClassicGroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable'

export interface JoinResult {
  errorCode: number
  generationId: number
  protocolName: string | null
  leader: string
  memberId: string
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[]
}

export interface SyncResult {
  errorCode: number
  assignment: Buffer
}

export interface ClassicMember {
  memberId: string
  instanceId: string | null
  clientId: string
  protocols: { name: string; metadata: Buffer }[]
  assignment: Buffer
  /** Answers the member's JoinGroup waiting for the rebalance to complete. */
  join: ((result: JoinResult) => void) | undefined
  /** Answers the member's SyncGroup waiting for the leader's assignment. */
  sync: ((result: SyncResult) => void) | undefined
}

export class ClassicGroup {
  readonly kind = 'classic'
  state: ClassicGroupState = 'Empty'
  generation = 0
  protocolName: string | null = null
  leader: string | null = null
  readonly members = new Map<string, ClassicMember>()
  /** Ids handed out with MEMBER_ID_REQUIRED, not yet joined with. */
  readonly pending = new Set<string>()
  /** Static members: group.instance.id -> the member id it holds now. */
  readonly instances = new Map<string, string>()

  constructor(readonly groupId: string) {}

  /** Starts a rebalance: syncs waiting are answered REBALANCE_IN_PROGRESS, joins complete once all rejoined. */
  prepareRebalance(): void {
    this.state = 'PreparingRebalance'
    for (const member of this.members.values()) {
      member.sync?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) })
      member.sync = undefined
    }
    this.maybeCompleteJoin()
  }

  maybeCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance') return
    const members = [...this.members.values()]
    if (members.some((m) => m.join === undefined)) return
    this.generation++
    if (members.length === 0) {
      this.state = 'Empty'
      this.leader = null
      this.protocolName = null
      return
    }
    this.state = 'CompletingRebalance'
    if (this.leader === null || !this.members.has(this.leader)) this.leader = members[0]!.memberId
    const leader = this.members.get(this.leader)!
    this.protocolName =
      leader.protocols.find((p) => members.every((m) => m.protocols.some((q) => q.name === p.name)))?.name ?? null
    for (const member of members) {
      const join = member.join!
      member.join = undefined
      join({
        errorCode: 0,
        generationId: this.generation,
        protocolName: this.protocolName,
        leader: this.leader,
        memberId: member.memberId,
        members:
          member.memberId === this.leader
            ? members.map((m) => ({
                memberId: m.memberId,
                groupInstanceId: m.instanceId,
                metadata: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? Buffer.alloc(0),
              }))
            : [],
      })
    }
  }

  /** Removes a member (LeaveGroup, or its session expired): the others rebalance without it. */
  remove(memberId: string): void {
    const member = this.members.get(memberId)
    if (member === undefined) return
    this.members.delete(memberId)
    if (member.instanceId !== null && this.instances.get(member.instanceId) === memberId) {
      this.instances.delete(member.instanceId)
    }
    member.join?.({ ...NO_JOIN, errorCode: ErrorCode.UNKNOWN_MEMBER_ID, memberId })
    member.sync?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) })
    this.prepareRebalance()
  }
}

export interface ConsumerMember {
  memberId: string
  instanceId: string | null
  epoch: number
  topics: string[]
  /** Partition keys the member owns (as the coordinator sees it). */
  assigned: Set<string>
  /** Partition keys the member was asked to revoke and has not yet reported gone. */
  revoking: Set<string>
  /** The assignment last sent to the member (sorted keys joined), to send only changes. */
  lastSent: string | undefined
}

export class ConsumerGroup {
  readonly kind = 'consumer'
  epoch = 0
  readonly members = new Map<string, ConsumerMember>()
  /** Member id -> the partition keys the assignor gives it at the group epoch. */
  target = new Map<string, Set<string>>()

  constructor(readonly groupId: string) {}

  /** A member or subscription changed: a new group epoch and a new target assignment. */
  bump(model: ClusterModel): void {
    this.epoch++
    const target = new Map<string, Set<string>>([...this.members.keys()].map((id) => [id, new Set<string>()]))
    const topics = [...new Set([...this.members.values()].flatMap((m) => m.topics))].sort()
    for (const name of topics) {
      const topic = model.topics.get(name)
      if (topic === undefined) continue
      // in join order, not by id: the client makes up its ids (v1), the tests want a stable order
      const subscribers = [...this.members.values()].filter((m) => m.topics.includes(name)).map((m) => m.memberId)
      const count = topic.partitions.length
      const base = Math.floor(count / subscribers.length)
      const extra = count % subscribers.length
      let next = 0
      subscribers.forEach((id, i) => {
        const share = base + (i < extra ? 1 : 0)
        for (let p = next; p < next + share; p++) target.get(id)!.add(partitionKey(name, p))
        next += share
      })
    }
    this.target = target
  }

  /**
   * Moves `member` towards its target (Kafka's CurrentAssignmentBuilder, reduced): `owned` is what
   * the member reported owning (null: unchanged since its last report).
   */
  reconcile(member: ConsumerMember, owned: Set<string> | null): void {
    if (member.revoking.size > 0) {
      if (owned === null || [...member.revoking].some((k) => owned.has(k))) return
      member.revoking.clear()
    }
    const target = this.target.get(member.memberId) ?? new Set<string>()
    const revoke = [...member.assigned].filter((k) => !target.has(k))
    if (revoke.length > 0) {
      for (const key of revoke) {
        member.assigned.delete(key)
        member.revoking.add(key)
      }
      return
    }
    for (const key of target) {
      if (member.assigned.has(key)) continue
      const held = [...this.members.values()].some((m) => m !== member && (m.assigned.has(key) || m.revoking.has(key)))
      if (!held) member.assigned.add(key)
    }
    member.epoch = this.epoch
  }

  remove(model: ClusterModel, memberId: string): void {
    if (!this.members.delete(memberId)) return
    this.bump(model)
  }
}

export const NO_JOIN: JoinResult = {
  errorCode: 0,
  generationId: -1,
  protocolName: null,
  leader: '',
  memberId: '',
  members: [],
}

export class FakeGroups {
  readonly groups = new Map<string, ClassicGroup | ConsumerGroup>()
  /** The heartbeat interval ConsumerGroupHeartbeat answers carry (short: reconciliation takes ms). */
  heartbeatIntervalMs = 20
  #nextMemberId = 1

  constructor(readonly model: ClusterModel) {}

  classic(groupId: string): ClassicGroup | undefined {
    const group = this.groups.get(groupId)
    return group?.kind === 'classic' ? group : undefined
  }

  consumer(groupId: string): ConsumerGroup | undefined {
    const group = this.groups.get(groupId)
    return group?.kind === 'consumer' ? group : undefined
  }

  /** A new member id, as Kafka makes them: the client id and a unique suffix. */
  newMemberId(clientId: string | null): string {
    return `${clientId ?? ''}-member-${this.#nextMemberId++}`
  }

  /** The member's session timed out (what Kafka does on its clock, here when the test says so). */
  expire(groupId: string, memberId: string): void {
    const group = this.groups.get(groupId)
    if (group === undefined) throw new Error(`no group ${groupId}`)
    if (!group.members.has(memberId)) throw new Error(`no member ${memberId} in ${groupId}`)
    if (group.kind === 'classic') group.remove(memberId)
    else group.remove(this.model, memberId)
  }

  /** The group's member ids, in join order. */
  memberIds(groupId: string): string[] {
    return [...(this.groups.get(groupId)?.members.keys() ?? [])]
  }
}
