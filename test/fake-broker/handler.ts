// The extension point of the fake cluster: one handler per API key, registered with
// FakeCluster.handle. The core handlers live in handlers/; a module adding more (the group
// coordinator, say) exports a HandlerModule and is listed in handlers/index.ts or passed to
// FakeCluster.start({ modules }).

import type { ApiDefinition } from '../../src/protocol/api.js'
import type { FakeCluster } from './fake-cluster.js'
import type { ReceivedRequest } from './interceptions.js'
import type { ClusterModel } from './model.js'

export interface RequestContext<Req, Res> {
  readonly cluster: FakeCluster
  /** The cluster's state. */
  readonly state: ClusterModel
  readonly received: ReceivedRequest<Req>
  readonly request: Req
  /** The node the request came to. */
  readonly node: number
  readonly version: number
  /** Aborted when the request's connection or the cluster closes: long polls end with it. */
  readonly signal: AbortSignal
  /**
   * The error code a test scripted for this request (no arguments), or for one topic-partition of
   * it; undefined when none. Handlers call it before touching the model for that part.
   */
  scriptedError(topic?: string, partition?: number): number | undefined
  /** The model's answer (the registered handler's), for a scripted `respond` that adapts it. */
  modelAnswer(): Promise<Res | undefined>
}

/** Answers a request; undefined means no answer (Produce with acks 0). */
export type ApiHandler<Req, Res> = (ctx: RequestContext<Req, Res>) => Res | undefined | Promise<Res | undefined>

export interface HandlerVersions {
  /** Advertised in ApiVersions; default the client's range (the API definition's min and max). */
  minVersion?: number
  maxVersion?: number
}

/** Registers handlers on a cluster (see FakeCluster.handle). */
export type HandlerModule = (cluster: FakeCluster) => void

export interface RegisteredHandler<Req = unknown, Res = unknown> {
  api: ApiDefinition<Req, Res>
  handler: ApiHandler<Req, Res>
  minVersion: number
  maxVersion: number
}
