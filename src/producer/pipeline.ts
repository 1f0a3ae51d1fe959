// One producer identity's way to the brokers: its record accumulator, its sequence numbers (with
// idempotence), its sender and the appender that feeds the accumulator. A producer has one; a
// transactional producer has a second, non-transactional one for sends outside its transactions
// (KafkaJS keeps a separate idempotent producer identity for those). Two identities never share a
// batch or a Produce request: a request carries one transactional id, and the broker keeps
// sequences per producer id, so records sent outside a transaction are never part of one.

import type { Cluster } from '../cluster/cluster.js'
import type { KafkaLogger } from '../common/kafka-logger.js'
import { RecordAccumulator } from './accumulator.js'
import type { BufferLimit } from './buffer-limit.js'
import type { ProducerBatch, RecordMetadata } from './messages.js'
import { isStickyPartitioner, STICKY_STATE } from './partitioners/default-partitioner.js'
import type { Partitioner } from './partitioners/types.js'
import type { ResolvedProducerOptions } from './producer-options.js'
import { type AppendTransaction, RecordAppender } from './record-appender.js'
import { Sender, type SenderTransactionHooks } from './sender.js'
import { type ProducerIdAndEpoch, SequenceTracker } from './sequences.js'

export interface PipelineDependencies {
  readonly cluster: Cluster
  readonly logger: KafkaLogger
  readonly options: ResolvedProducerOptions
  /** The producer's one buffer bound, shared by its pipelines (Java's buffer.memory). */
  readonly memory: BufferLimit
  readonly partitioner: Partitioner
  readonly idempotent: boolean
  /** Present for the transactional pipeline: its sender asks it before sending a partition's batches. */
  readonly transaction?: (sequences: SequenceTracker, wakeSender: () => void) => SenderTransactionHooks
  /** Gets a producer id without a transactional id (InitProducerId). */
  readonly initProducerId: () => Promise<ProducerIdAndEpoch>
  /** Throws when the producer takes no records (not connected, disconnecting). */
  readonly assertSendable: () => void
}

export class ProducerPipeline {
  readonly accumulator: RecordAccumulator
  readonly sender: Sender
  readonly sequences: SequenceTracker | undefined
  readonly transaction: SenderTransactionHooks | undefined
  readonly #appender: RecordAppender

  constructor(d: PipelineDependencies) {
    const { cluster, options } = d
    this.accumulator = new RecordAccumulator({ batchSize: options.batchSize, linger: options.linger })
    this.sequences =
      d.idempotent || d.transaction !== undefined
        ? new SequenceTracker({ bumpLocally: d.transaction === undefined })
        : undefined
    const wakeSender = (): void => this.sender.wakeup()
    this.transaction =
      d.transaction !== undefined && this.sequences !== undefined
        ? d.transaction(this.sequences, wakeSender)
        : undefined
    this.sender = new Sender({
      cluster,
      accumulator: this.accumulator,
      memory: d.memory,
      options,
      sequences: this.sequences,
      transaction: this.transaction,
      logger: d.logger,
      initProducerId: d.initProducerId,
    })
    this.#appender = new RecordAppender({
      cluster,
      accumulator: this.accumulator,
      memory: d.memory,
      options,
      transactional: this.transaction !== undefined,
      partitioner: d.partitioner,
      sticky: isStickyPartitioner(d.partitioner) ? d.partitioner[STICKY_STATE] : undefined,
      wakeSender,
      assertSendable: () => {
        this.assertNotFatal()
        d.assertSendable()
      },
    })
  }

  send(batch: ProducerBatch, transaction: AppendTransaction | undefined): Promise<RecordMetadata[]> {
    return this.#appender.send(batch, transaction)
  }

  /** Throws the error that stopped this identity for good (fencing, authorization), if any. */
  assertNotFatal(): void {
    const fatal = this.sender.fatalError
    if (fatal !== undefined) throw fatal
  }

  /** Sends again (connect). */
  start(): void {
    this.accumulator.setClosing(false)
    this.sender.start()
  }

  /** Every batch is ready from now on (disconnect). */
  close(): void {
    this.accumulator.setClosing(true)
    this.sender.wakeup()
  }

  /** Resolves once every send made so far has appended its records (or failed). */
  appended(): Promise<void> {
    return this.#appender.appended()
  }

  /** Resolves once every record sent before the call is acknowledged or has failed. */
  async flush(): Promise<void> {
    // sends still waiting for metadata or buffer room append first
    await this.appended()
    this.sender.wakeup()
    await this.accumulator.flush()
  }
}
