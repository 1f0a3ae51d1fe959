// What every admin operation works with: the admin client's own Cluster (connections, metadata,
// coordinators), its retry options and logger. Requests go to the connections' own send(), which
// reports each one to the instrumentation listeners (the Cluster's requestObserver) and adds to its
// timeout the wait the request asks of the broker (timeoutMs).

import type { Cluster } from '../cluster/cluster.js'
import { CoordinatorType } from '../cluster/coordinator-lookup.js'
import { type ResolvedRetryOptions, retry } from '../common/backoff.js'
import { errorMessage } from '../common/error-message.js'
import type { Logger } from '../common/logger.js'
import type { Connection } from '../network/connection.js'
import { retryLogMessage } from './settle.js'

export interface AdminContextOptions {
  cluster: Cluster
  logger: Logger
  retry: ResolvedRetryOptions
}

export class AdminContext {
  readonly cluster: Cluster
  readonly logger: Logger
  readonly retry: ResolvedRetryOptions

  constructor(options: AdminContextOptions) {
    this.cluster = options.cluster
    this.logger = options.logger
    this.retry = options.retry
  }

  /**
   * Runs a whole-request operation, retrying retriable failures with the admin's backoff. Errors
   * that say the metadata is stale (NOT_CONTROLLER, a lost connection, ...) mark it for refresh
   * first, so that the retry goes to the right broker.
   */
  withRetry<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return retry(fn, {
      ...this.retry,
      onRetry: (error, attempt, delay) => {
        this.cluster.noteError(error)
        this.logger.warn(retryLogMessage(operation, 'retrying'), {
          error: errorMessage(error),
          retryCount: attempt,
          retryTime: delay,
        })
      },
    })
  }

  /**
   * Runs a request on the coordinator of `key` (a group id, or a transactional id), retrying
   * retriable failures; one that says the coordinator moved (NOT_COORDINATOR, a lost connection)
   * makes the next attempt look it up again.
   */
  withCoordinator<T>(
    operation: string,
    key: string,
    fn: (connection: Connection) => Promise<T>,
    type: CoordinatorType = CoordinatorType.GROUP,
  ): Promise<T> {
    return retry(async () => fn(await this.cluster.coordinatorConnection(type, key)), {
      ...this.retry,
      onRetry: (error, attempt, delay) => {
        this.cluster.invalidateCoordinatorOn(type, key, error)
        this.logger.warn(retryLogMessage(operation, 'retrying'), {
          error: errorMessage(error),
          retryCount: attempt,
          retryTime: delay,
        })
      },
    })
  }
}
