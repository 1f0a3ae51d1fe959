// Scripted answers: a test intercepts the requests of one API (optionally of one node, or those a
// predicate picks) and answers some of them differently from the model, once, N times or always.
//
// Invariants:
// 1. An interception applies to at most `times` requests (each counted once, however many of its
//    partitions it touched); `hits` lists them in arrival order.
// 2. Request-level actions (respond, drop, disconnect, hold, delayMs) are taken from the first
//    interception in registration order that matches and still has uses; `errorCode` ones are
//    consulted by the handler per partition (or once for APIs without partitions), first match wins.
// 3. Nothing scripted outlives FakeCluster.close(): held and delayed answers are dropped with their
//    connections.

import type { RequestContext } from './handler.js'

export interface ReceivedRequest<Req = unknown> {
  apiKey: number
  apiName: string
  node: number
  version: number
  correlationId: number
  clientId: string | null
  request: Req
  /** Which connection of the cluster it came on (counts from 1). */
  connectionId: number
}

export interface InterceptSpec<Req, Res> {
  /** Only requests to this node. */
  node?: number
  /** Only requests this predicate accepts. */
  match?: (request: Req, received: ReceivedRequest<Req>) => boolean
  /** How many requests it applies to (default 1; Infinity: every one). */
  times?: number
  /** Answer these partitions (all of the request when neither is given) with this error code. */
  errorCode?: number
  topic?: string
  partition?: number
  /** Answer with this instead of the model's answer; `ctx.model()` gives the model's answer to adapt. */
  respond?: (request: Req, ctx: RequestContext<Req, Res>) => Res | Promise<Res>
  /** Never answer (the connection's later answers wait behind it, as on a real broker). */
  drop?: boolean
  /** Close the connection instead of answering. */
  disconnect?: boolean
  /** With drop or disconnect: the model still handles the request first (the broker did the work; its answer is lost). */
  process?: boolean
  /** Handle the request now, but write the answer only once this settles. */
  hold?: Promise<unknown>
  /** Handle the request now, but write the answer this much later. */
  delayMs?: number
}

export class Interception<Req = unknown, Res = unknown> {
  readonly hits: ReceivedRequest<Req>[] = []
  #remaining: number
  #removed = false
  readonly #waiters: { count: number; resolve: (r: ReceivedRequest<Req>) => void }[] = []

  constructor(
    readonly apiKey: number,
    readonly spec: InterceptSpec<Req, Res>,
  ) {
    this.#remaining = spec.times ?? 1
  }

  get remaining(): number {
    return this.#removed ? 0 : this.#remaining
  }

  /** Whether it has a request-level action (anything but errorCode). */
  get actsOnRequest(): boolean {
    const s = this.spec
    return (
      s.respond !== undefined ||
      s.drop === true ||
      s.disconnect === true ||
      s.hold !== undefined ||
      s.delayMs !== undefined
    )
  }

  /** Whether it may apply to `received` (API, node, predicate, uses left). */
  matches(received: ReceivedRequest<Req>): boolean {
    if (this.remaining <= 0 || received.apiKey !== this.apiKey) return false
    if (this.spec.node !== undefined && this.spec.node !== received.node) return false
    return this.spec.match === undefined || this.spec.match(received.request, received)
  }

  coversPartition(topic: string | undefined, partition: number | undefined): boolean {
    const s = this.spec
    return (s.topic === undefined || s.topic === topic) && (s.partition === undefined || s.partition === partition)
  }

  /** Counts one use by `received` (its first; later calls for the same request are no-ops). */
  use(received: ReceivedRequest<Req>): void {
    if (this.hits.includes(received)) return
    this.#remaining--
    this.hits.push(received)
    for (const waiter of [...this.#waiters]) {
      if (this.hits.length >= waiter.count) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
        waiter.resolve(this.hits[waiter.count - 1]!)
      }
    }
  }

  /** Resolves with the `n`th request it applied to (1-based), once that has arrived. */
  hit(n = 1): Promise<ReceivedRequest<Req>> {
    const done = this.hits[n - 1]
    if (done !== undefined) return Promise.resolve(done)
    return new Promise((resolve) => this.#waiters.push({ count: n, resolve }))
  }

  remove(): void {
    this.#removed = true
  }
}
