// What bench/share-consumer.bench.ts and its client processes (bench/share-consumer-client.ts) say
// to each other.

export type ShareClient = 'kafkit-batch' | 'kafkit-message'

/** One member's run: the JSON argument of a client process. */
export interface ShareMemberRun {
  client: ShareClient
  brokers: string[]
  topic: string
  groupId: string
}

/** What one member measured, sent over IPC after its disconnect(). */
export interface ShareMemberResult {
  records: number
  bytes: number
  /** Date.now() when it got `go`, before connect(). */
  startedAt: number
  /** Date.now() after its last record's handler. */
  lastAt: number
  /** From `go` to the end of disconnect(). */
  cpuSeconds: number
  peakRssMB: number
}
