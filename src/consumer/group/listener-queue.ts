// Runs a membership's rebalance callbacks one at a time, in the order they were asked for, whoever
// asks (the rebalance loop, a heartbeat's error, leave()). A callback that throws is logged; the
// membership carries on.

import { errorMessage } from '../../common/error-message.js'
import type { Logger } from '../../common/logger.js'
import type { TopicPartition } from '../topic-partition.js'
import type { RebalanceListener } from './membership.js'

export class ListenerQueue {
  readonly #listener: RebalanceListener
  readonly #logger: Logger
  readonly #groupId: string
  #chain: Promise<void> = Promise.resolve()

  constructor(listener: RebalanceListener, logger: Logger, groupId: string) {
    this.#listener = listener
    this.#logger = logger
    this.#groupId = groupId
  }

  /** Queues one callback; resolves when it (and every one before it) has run. */
  call(kind: keyof RebalanceListener, partitions: TopicPartition[]): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        await this.#listener[kind](partitions)
      } catch (error) {
        this.#logger.error(`Partitions ${kind} callback failed`, {
          groupId: this.#groupId,
          error: errorMessage(error),
        })
      }
    }
    this.#chain = this.#chain.then(run)
    return this.#chain
  }
}
