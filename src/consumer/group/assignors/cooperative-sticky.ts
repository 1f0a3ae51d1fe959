// "cooperative-sticky" (KIP-429), under Java's protocol name so that Java and kafkit members share
// a group. Sticky: members keep the partitions they own as far as balance allows; the rest go to
// the least loaded members, then partitions move from the most to the least loaded member until no
// member has two more than another that could take one. Cooperative: a partition that moves from
// one owner to another is left out of this round's assignment; its owner revokes it and rejoins,
// and the next round hands it over. Partitions that do not move never stop flowing.
//
// Ownership comes from each member's subscription (ownedPartitions and generationId, subscription
// v1+/v2+). When two members claim a partition, the claim of the higher generation wins; equal
// generations cancel each other out (neither keeps it by right).

import type { TopicPartition } from '../../topic-partition.js'
import { keyOf, partitionKey } from '../../topic-partition.js'
import type { AssignerCluster, PartitionAssigner } from './assigner.js'
import {
  compareMembers,
  compareStrings,
  decodeMembers,
  encodeAssignments,
  encodeSubscription,
  type MemberSubscription,
  partitionsOf,
  subscribedTopics,
} from './subscriptions.js'

export const COOPERATIVE_STICKY = 'cooperative-sticky'

export const cooperativeStickyAssigner: PartitionAssigner = ({ cluster }) => ({
  name: COOPERATIVE_STICKY,
  version: 0,
  rebalanceProtocol: 'cooperative',
  protocol(subscription) {
    return { name: COOPERATIVE_STICKY, metadata: encodeSubscription(subscription) }
  },
  async assign({ members }) {
    const subscriptions = decodeMembers(members).sort(compareMembers)
    return encodeAssignments(subscriptions, stickyAssignment(subscriptions, cluster, true))
  },
})

/**
 * The sticky assignment of every partition of the subscribed topics; with `cooperative`, partitions
 * changing owner are withheld for this round.
 */
export function stickyAssignment(
  members: readonly MemberSubscription[],
  cluster: AssignerCluster,
  cooperative: boolean,
): Map<string, TopicPartition[]> {
  const all: TopicPartition[] = []
  for (const topic of subscribedTopics(members)) {
    for (const partition of partitionsOf(cluster, topic)) all.push({ topic, partition })
  }
  const exists = new Set(all.map(keyOf))
  const owners = validOwners(members, exists)

  const assigned = new Map<string, Set<string>>(members.map((m) => [m.memberId, new Set<string>()]))
  const byKey = new Map(all.map((tp) => [keyOf(tp), tp]))
  const eligible = (m: MemberSubscription, tp: TopicPartition): boolean => m.topics.has(tp.topic)

  // 1. owners keep what they validly own
  for (const [key, owner] of owners) assigned.get(owner)!.add(key)

  // 2. the rest, in order, to the least loaded eligible member
  for (const tp of all) {
    const key = keyOf(tp)
    if (owners.has(key)) continue
    const target = leastLoaded(members, assigned, (m) => eligible(m, tp))
    if (target !== undefined) assigned.get(target.memberId)!.add(key)
  }

  // 3. balance: move partitions from a member to another that has two fewer and may take them
  for (let moved = true; moved; ) {
    moved = false
    const order = [...members].sort((a, b) => assigned.get(b.memberId)!.size - assigned.get(a.memberId)!.size)
    for (const from of order) {
      const fromSet = assigned.get(from.memberId)!
      // newest partitions (not kept by ownership) move first, then the highest ones, for stability
      const candidates = [...fromSet].sort(
        (a, b) => movePriority(a, from, owners) - movePriority(b, from, owners) || compareStrings(b, a),
      )
      for (const key of candidates) {
        const tp = byKey.get(key)!
        const to = leastLoaded(members, assigned, (m) => m !== from && eligible(m, tp))
        if (to === undefined || assigned.get(to.memberId)!.size + 1 >= fromSet.size) continue
        fromSet.delete(key)
        assigned.get(to.memberId)!.add(key)
        moved = true
        break
      }
      if (moved) break
    }
  }

  const result = new Map<string, TopicPartition[]>()
  for (const m of members) {
    const keys = [...assigned.get(m.memberId)!].filter((key) => {
      // cooperative: a partition still owned by someone else is handed over next round
      if (!cooperative) return true
      const owner = owners.get(key)
      return owner === undefined || owner === m.memberId
    })
    result.set(
      m.memberId,
      keys.map((k) => byKey.get(k)!).sort((a, b) => compareStrings(a.topic, b.topic) || a.partition - b.partition),
    )
  }
  return result
}

/** 0 for a partition the member did not own (moves first), 1 for one it owned. */
function movePriority(key: string, member: MemberSubscription, owners: ReadonlyMap<string, string>): number {
  return owners.get(key) === member.memberId ? 1 : 0
}

/** Partition key -> the member that validly owns it: still subscribed, existing, and the newest claim. */
function validOwners(members: readonly MemberSubscription[], exists: ReadonlySet<string>): Map<string, string> {
  const claims = new Map<string, { memberId: string; generation: number; contested: boolean }>()
  for (const m of members) {
    for (const tp of m.ownedPartitions) {
      const key = partitionKey(tp.topic, tp.partition)
      if (!exists.has(key) || !m.topics.has(tp.topic)) continue
      const current = claims.get(key)
      if (current === undefined || m.generationId > current.generation) {
        claims.set(key, { memberId: m.memberId, generation: m.generationId, contested: false })
      } else if (m.generationId === current.generation) {
        current.contested = true
      }
    }
  }
  const owners = new Map<string, string>()
  for (const [key, claim] of claims) if (!claim.contested) owners.set(key, claim.memberId)
  return owners
}

function leastLoaded(
  members: readonly MemberSubscription[],
  assigned: ReadonlyMap<string, ReadonlySet<string>>,
  accepts: (m: MemberSubscription) => boolean,
): MemberSubscription | undefined {
  let best: MemberSubscription | undefined
  for (const m of members) {
    if (!accepts(m)) continue
    if (best === undefined || assigned.get(m.memberId)!.size < assigned.get(best.memberId)!.size) best = m
  }
  return best
}
