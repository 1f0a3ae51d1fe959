// Client-side throttling (KIP-219). When a quota (produce or fetch byte rate, request percentage)
// throttles a client, a broker of Kafka 2.0 or later answers at once with throttleTimeMs > 0 and
// then mutes that connection for that long; the client is expected not to send to it before the
// time is up, rather than have its requests sit unread on a muted socket and run into their
// timeouts. Older versions of each response came only after the broker's own wait, so a throttle
// time in them has already been waited out. Java's AbstractResponse.shouldClientThrottle names,
// per response, the first version that asks the client to wait; the table below is that list
// (a response Java does not list never makes its client wait).

/** The first version of each response whose throttle time the client waits out, by API name. */
const CLIENT_THROTTLE_SINCE: ReadonlyMap<string, number> = new Map([
  ['Produce', 6],
  ['Fetch', 8],
  ['ListOffsets', 3],
  ['Metadata', 6],
  ['OffsetCommit', 4],
  ['OffsetFetch', 4],
  ['FindCoordinator', 2],
  ['JoinGroup', 3],
  ['Heartbeat', 2],
  ['LeaveGroup', 2],
  ['SyncGroup', 2],
  ['DescribeGroups', 2],
  ['ListGroups', 2],
  ['ApiVersions', 2],
  ['CreateTopics', 3],
  ['DeleteTopics', 2],
  ['DeleteRecords', 1],
  ['InitProducerId', 1],
  ['AddPartitionsToTxn', 1],
  ['AddOffsetsToTxn', 1],
  ['EndTxn', 1],
  ['TxnOffsetCommit', 1],
  ['DescribeAcls', 1],
  ['CreateAcls', 1],
  ['DeleteAcls', 1],
  ['DescribeConfigs', 2],
  ['AlterConfigs', 1],
  ['AlterReplicaLogDirs', 1],
  ['DescribeLogDirs', 1],
  ['CreatePartitions', 1],
  ['CreateDelegationToken', 1],
  ['RenewDelegationToken', 1],
  ['ExpireDelegationToken', 1],
  ['DescribeDelegationToken', 1],
  ['DeleteGroups', 1],
  ['ElectLeaders', 0],
  ['IncrementalAlterConfigs', 0],
  ['AlterPartitionReassignments', 0],
  ['ListPartitionReassignments', 0],
  ['OffsetDelete', 0],
  ['DescribeUserScramCredentials', 0],
  ['AlterUserScramCredentials', 0],
  ['UnregisterBroker', 0],
  ['DescribeTopicPartitions', 0],
])

/** The API names of CLIENT_THROTTLE_SINCE, for its test. */
export const CLIENT_THROTTLED_APIS: readonly string[] = [...CLIENT_THROTTLE_SINCE.keys()]

/**
 * How long the client must wait before its next request to the broker that sent `response` (of
 * `apiName` at `version`), in ms; 0 when it need not.
 */
export function clientThrottleMs(apiName: string, version: number, response: unknown): number {
  const since = CLIENT_THROTTLE_SINCE.get(apiName)
  if (since === undefined || version < since) return 0
  if (typeof response !== 'object' || response === null) return 0
  const throttle = (response as { throttleTimeMs?: unknown }).throttleTimeMs
  return typeof throttle === 'number' && throttle > 0 ? throttle : 0
}

/**
 * The time a connection has spent throttled, summed over every throttle it got, so that a
 * request's timeout can leave out the part of its wait that the throttle imposed (Java's client
 * does not even create a request for a throttled node, so its request timeout never sees that
 * wait).
 */
export class ThrottleClock {
  /** Date.now() when the current (or last) throttle period began, and when it ends. */
  #start = 0
  #until = 0
  /** Length of the periods before the current one, in ms. */
  #before = 0

  /** Date.now() before which nothing may be sent; 0 or a past time when not throttled. */
  get until(): number {
    return this.#until
  }

  isThrottled(now = Date.now()): boolean {
    return now < this.#until
  }

  /** Extends the throttle to `now + ms` (never shortens it). */
  throttle(ms: number, now = Date.now()): void {
    const until = now + ms
    if (now >= this.#until) {
      this.#before += this.#until - this.#start
      this.#start = now
    }
    this.#until = Math.max(this.#until, until)
  }

  /** Total time spent throttled up to `now`, in ms. */
  elapsed(now = Date.now()): number {
    return this.#before + Math.max(0, Math.min(now, this.#until) - this.#start)
  }
}
