// A named state machine: a fixed set of states, a table of the moves allowed from each, and one
// `transition(to, reason)` that refuses anything else. An illegal move is a bug in the caller, so it
// throws rather than being ignored; every legal move is logged with its reason.

import { KafkaJSInvariantViolation } from '../errors.js'
import type { Logger } from './logger.js'

export type TransitionTable<S extends string> = { readonly [From in S]: readonly S[] }

export class StateMachine<S extends string> {
  readonly #name: string
  readonly #table: TransitionTable<S>
  readonly #logger: Logger
  #state: S

  constructor(name: string, initial: S, table: TransitionTable<S>, logger: Logger) {
    this.#name = name
    this.#state = initial
    this.#table = table
    this.#logger = logger
  }

  get state(): S {
    return this.#state
  }

  can(to: S): boolean {
    return this.#table[this.#state].includes(to)
  }

  transition(to: S, reason: string): void {
    const from = this.#state
    if (!this.can(to)) {
      throw new KafkaJSInvariantViolation(`${this.#name}: illegal transition ${from} -> ${to} (${reason})`)
    }
    this.#state = to
    this.#logger.debug(`${this.#name}: ${from} -> ${to}`, { reason })
  }
}
