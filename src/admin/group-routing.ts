// Requests about groups go to each group's coordinator: one request per coordinator for all the
// groups it coordinates, retried (after a fresh coordinator lookup) when a coordinator moved or is
// still loading.

import { CoordinatorType } from '../cluster/coordinator-lookup.js'
import type { Connection } from '../network/connection.js'
import type { AdminContext } from './context.js'
import { type Destination, routeToCoordinators, sendPerNode } from './routing.js'
import { type Outcome, settle } from './settle.js'
import { argsObject, arrayArg, booleanArg, noDuplicates, stringArg } from './validate.js'

/**
 * Items on the coordinators of their keys (group ids, or transactional ids), one request per
 * coordinator, each item retried (after a fresh coordinator lookup) when its coordinator moved or
 * is still loading.
 */
export function perCoordinator<K, V>(
  ctx: AdminContext,
  operation: string,
  items: readonly K[],
  keyOf: (item: K) => string,
  send: (
    connection: Connection,
    pending: readonly K[],
    coordinator: Destination,
  ) => Promise<ReadonlyMap<K, Outcome<V>>>,
  type: CoordinatorType = CoordinatorType.GROUP,
): Promise<Map<K, Outcome<V>>> {
  return settle(
    items,
    async (pending) => sendPerNode(ctx, await routeToCoordinators(ctx, pending, keyOf, type), send),
    {
      operation,
      retry: ctx.retry,
      logger: ctx.logger,
      beforeRetry: (error, item) => ctx.cluster.invalidateCoordinatorOn(type, keyOf(item), error),
    },
  )
}

/** Groups on their coordinators (see perCoordinator). */
export function perGroup<V>(
  ctx: AdminContext,
  operation: string,
  groupIds: readonly string[],
  send: (
    connection: Connection,
    pending: readonly string[],
    coordinator: Destination,
  ) => Promise<ReadonlyMap<string, Outcome<V>>>,
): Promise<Map<string, Outcome<V>>> {
  return perCoordinator(ctx, operation, groupIds, (id) => id, send)
}

/** A list of distinct group ids (KafkaJS passes them as the first argument). */
export function groupIdList(op: string, value: unknown): string[] {
  const ids = arrayArg<unknown>(op, 'groupIds', value).map((g, i) => stringArg(op, `groupIds[${i}]`, g))
  noDuplicates(op, 'group', ids, (g) => g)
  return ids
}

/** The arguments of the describe calls: group ids, then { includeAuthorizedOperations }. */
export function describeArgs(
  op: string,
  groupIds: unknown,
  options: unknown,
): { groupIds: string[]; includeAuthorizedOperations: boolean } {
  const args = argsObject(op, options, true)
  return {
    groupIds: groupIdList(op, groupIds),
    includeAuthorizedOperations: booleanArg(op, 'includeAuthorizedOperations', args.includeAuthorizedOperations, false),
  }
}
