// Runs the application's handler over acquired records and turns each outcome into an
// acknowledgement. Up to `concurrency` records (eachMessage) or batches (eachBatch) are processed
// at once, records of one partition included: in a share group a record is the unit of work, not a
// partition position, so nothing orders them.
//
// implicit mode: a handler that resolves accepts its records, one that throws releases them (the
// broker delivers them again with a higher delivery count, and archives them at its delivery
// limit). explicit mode: message.ack(type) acknowledges; when the handler ends, what it left
// unacknowledged is released, and a handler that resolved without acknowledging a record ends the
// run with KafkaJSShareAcknowledgementError (Java's share consumer refuses the next poll so).

import { errorMessage, toError } from '../../common/error-message.js'
import type { KafkaLogger } from '../../common/kafka-logger.js'
import { KafkaJSShareAcknowledgementError } from '../../errors.js'
import { HandlerAborted } from '../handlers.js'
import type { KafkaMessage } from '../message.js'
import { Signal } from '../signal.js'
import { ACKNOWLEDGEMENT_TYPES, AcknowledgeType, type ShareAcknowledgement } from './acknowledgements.js'
import type { ShareAcknowledgementMode } from './share-consumer-options.js'
import type { ShareRecord } from './share-fetcher.js'

/** A message of a share group: KafkaJS's message plus its delivery count and acknowledgement. */
export interface ShareMessage extends KafkaMessage {
  /** How many times the broker has delivered this record, this time included (1 on first delivery). */
  readonly deliveryCount: number
  /**
   * explicit mode: acknowledges the record ('accept' when no type is given). accept, release and
   * reject are final and go to the broker with the next fetch; renew extends the record's acquisition
   * lock now (KIP-1222) and resolves once the broker has done so. Throws
   * KafkaJSShareAcknowledgementError in implicit mode, after a final acknowledgement or once the
   * handler has ended.
   */
  ack(type?: ShareAcknowledgement): Promise<void>
}

export interface ShareEachMessagePayload {
  topic: string
  partition: number
  message: ShareMessage
}

export interface ShareBatch {
  topic: string
  partition: number
  messages: ShareMessage[]
}

export interface ShareEachBatchPayload {
  batch: ShareBatch
  isRunning(): boolean
}

export type ShareEachMessageHandler = (payload: ShareEachMessagePayload) => Promise<void>
export type ShareEachBatchHandler = (payload: ShareEachBatchPayload) => Promise<void>

export interface ShareRunnerOptions {
  mode: ShareAcknowledgementMode
  concurrency: number
  eachMessage: ShareEachMessageHandler | undefined
  eachBatch: ShareEachBatchHandler | undefined
  logger: KafkaLogger
  groupId: string
  acknowledge(record: ShareRecord, type: AcknowledgeType): void
  renew(record: ShareRecord): Promise<void>
  /** An error that ends the run. */
  crash(error: Error): void
}

export class ShareRunner {
  readonly #o: ShareRunnerOptions
  /** Work not started: single records (eachMessage) or one partition's records of one fetch (eachBatch). */
  readonly #queue: ShareRecord[][] = []
  readonly #wake = new Signal()
  #running = true
  #workers: Promise<void>[] = []

  constructor(options: ShareRunnerOptions) {
    this.#o = options
    for (let i = 0; i < options.concurrency; i++) this.#workers.push(this.#work())
  }

  push(records: ShareRecord[]): void {
    if (!this.#running) {
      for (const record of records) this.#o.acknowledge(record, AcknowledgeType.RELEASE)
      return
    }
    if (this.#o.eachMessage !== undefined) for (const record of records) this.#queue.push([record])
    else this.#queue.push(records)
    this.#wake.notify()
  }

  /** Lets the handlers in progress finish; records not handed out yet are released. */
  async stop(): Promise<void> {
    this.#running = false
    this.#wake.notify()
    for (const records of this.#queue.splice(0)) {
      for (const record of records) this.#o.acknowledge(record, AcknowledgeType.RELEASE)
    }
    await Promise.all(this.#workers)
  }

  async #work(): Promise<void> {
    while (this.#running) {
      const records = this.#queue.shift()
      if (records === undefined) {
        await this.#wake.wait()
        continue
      }
      await this.#process(records)
    }
  }

  async #process(records: ShareRecord[]): Promise<void> {
    let open = true
    const messages = records.map((record) => this.#shareMessage(record, () => open))
    let failure: unknown
    try {
      if (this.#o.eachMessage !== undefined) {
        const first = records[0]!
        await this.#o.eachMessage({ topic: first.topic, partition: first.partition, message: messages[0]! })
      } else {
        const first = records[0]!
        await this.#o.eachBatch!({
          batch: { topic: first.topic, partition: first.partition, messages },
          isRunning: () => this.#running,
        })
      }
    } catch (error) {
      failure = error
    } finally {
      open = false
    }
    const unacknowledged = records.filter((r) => r.acknowledged === undefined)
    if (failure !== undefined && !(failure instanceof HandlerAborted)) {
      this.#o.logger.error(
        `Share consumer handler failed; releasing its records for redelivery: ${errorMessage(failure)}`,
        {
          groupId: this.#o.groupId,
          topic: records[0]!.topic,
          partition: records[0]!.partition,
          offsets: unacknowledged.map((r) => r.offset.toString()),
          stack: toError(failure).stack,
        },
      )
    }
    const implicitAccept = this.#o.mode === 'implicit' && failure === undefined
    for (const record of unacknowledged) {
      this.#o.acknowledge(record, implicitAccept ? AcknowledgeType.ACCEPT : AcknowledgeType.RELEASE)
    }
    if (this.#o.mode === 'explicit' && failure === undefined && unacknowledged.length > 0) {
      const r = unacknowledged[0]!
      this.#o.crash(
        new KafkaJSShareAcknowledgementError(
          `${r.topic}-${r.partition} offset ${r.offset}: the handler returned without acknowledging ` +
            `${unacknowledged.length} record(s) in explicit acknowledgement mode; they were released`,
          { topic: r.topic, partition: r.partition, offset: r.offset.toString() },
        ),
      )
    }
  }

  #shareMessage(record: ShareRecord, handlerOpen: () => boolean): ShareMessage {
    const message = record.message as ShareMessage
    Object.defineProperty(message, 'deliveryCount', { value: record.deliveryCount, enumerable: true })
    Object.defineProperty(message, 'ack', {
      value: (type: ShareAcknowledgement = 'accept') => this.#ack(record, type, handlerOpen()),
      enumerable: false,
    })
    return message
  }

  #ack(record: ShareRecord, type: ShareAcknowledgement, handlerOpen: boolean): Promise<void> {
    const refuse = (why: string): never => {
      throw new KafkaJSShareAcknowledgementError(
        `${record.topic}-${record.partition} offset ${record.offset}: ${why}`,
        {
          topic: record.topic,
          partition: record.partition,
          offset: record.offset.toString(),
        },
      )
    }
    const wire = ACKNOWLEDGEMENT_TYPES[type]
    if (wire === undefined) refuse(`ack() takes 'accept', 'release', 'reject' or 'renew', got ${String(type)}`)
    if (this.#o.mode === 'implicit') {
      refuse('message.ack() needs acknowledgementMode "explicit"; in implicit mode the handler resolving accepts')
    }
    if (record.acknowledged !== undefined) refuse('the record is already acknowledged')
    if (!handlerOpen) refuse('its handler has ended; acknowledge records before the handler resolves')
    if (wire === AcknowledgeType.RENEW) {
      return this.#o.renew(record).catch((error: unknown) => {
        throw new KafkaJSShareAcknowledgementError(
          `${record.topic}-${record.partition} offset ${record.offset}: renewing the acquisition lock failed: ${errorMessage(error)}`,
          { topic: record.topic, partition: record.partition, offset: record.offset.toString(), cause: error },
        )
      })
    }
    this.#o.acknowledge(record, wire)
    return Promise.resolve()
  }
}
