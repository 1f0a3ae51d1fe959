// FindCoordinator: the node the model names for a group or a transactional id (node 1 unless a
// test moved it), one key per request before v4, a list of keys from v4.

import { ErrorCode } from '../../../src/protocol/generated/errors.js'
import {
  createFindCoordinatorResponseCoordinator as coordinator,
  FindCoordinator,
  type FindCoordinatorRequest,
  type FindCoordinatorResponseCoordinator,
} from '../../../src/protocol/generated/find-coordinator.js'
import type { HandlerModule, RequestContext } from '../handler.js'
import { CoordinatorKind } from '../model.js'

/** FindCoordinator v4 looks up a list of keys. */
const FIRST_BATCHED_VERSION = 4

export const coordinatorHandlers: HandlerModule = (cluster) => {
  cluster.handle(FindCoordinator, (ctx) => {
    const { request, version } = ctx
    if (version >= FIRST_BATCHED_VERSION) {
      return FindCoordinator.createResponse({ coordinators: request.coordinatorKeys.map((key) => locate(ctx, key)) })
    }
    const { errorCode, nodeId, host, port } = locate(ctx, request.key)
    return FindCoordinator.createResponse({ errorCode, nodeId, host, port })
  })
}

function locate(ctx: RequestContext<FindCoordinatorRequest, unknown>, key: string): FindCoordinatorResponseCoordinator {
  const scripted = ctx.scriptedError(key)
  if (scripted !== undefined) return coordinator({ key, errorCode: scripted, nodeId: -1, port: -1 })
  const kind =
    ctx.request.keyType === CoordinatorKind.transaction
      ? 'transaction'
      : ctx.request.keyType === CoordinatorKind.group
        ? 'group'
        : undefined
  if (kind === undefined) return coordinator({ key, errorCode: ErrorCode.INVALID_REQUEST, nodeId: -1, port: -1 })
  const node = ctx.cluster.node(ctx.state.coordinatorFor(kind, key))
  return coordinator({ key, nodeId: node.id, host: node.host, port: node.port })
}
