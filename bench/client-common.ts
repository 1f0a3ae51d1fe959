// Shared by the benchmark client processes (bench/*-client.ts): what a run measures, loading a peer
// client if it is installed, and the values every benchmark writes.

import { createRequire } from 'node:module'
import { join } from 'node:path'

/** What one client process measured, printed as its one JSON line. */
export interface Measurement {
  client: string
  messages: number
  /** Bytes of values moved. */
  bytes: number
  seconds: number
  cpuSeconds: number
  peakRssMB: number
}

/** A peer from the project's node_modules, or from the directory KAFKIT_BENCH_PEERS names. */
export function optionalPeer<T>(name: string): T | undefined {
  const places = [require]
  const peers = process.env.KAFKIT_BENCH_PEERS
  if (peers) places.unshift(createRequire(join(peers, 'package.json')))
  for (const load of places) {
    try {
      return load(name) as T
    } catch {
      // not in this place
    }
  }
  return undefined
}

/** A value of `size` bytes that compresses like a real payload: repetitive, not random, not all zero. */
export function benchValue(size: number): Buffer {
  const value = Buffer.alloc(size)
  for (let i = 0; i < size; i++) value[i] = 97 + ((i * 7) % 26)
  return value
}

export interface PlatformaticProducer {
  send(options: object): Promise<unknown>
  close(): Promise<void>
}

/**
 * @platformatic/kafka's Producer with acks=all (its default is acks=1 unless idempotent) and no
 * topic auto-creation, or undefined if it is not installed.
 */
export function platformaticProducer(
  brokers: string[],
  clientId: string,
  compression: 'none' | 'lz4' = 'none',
): PlatformaticProducer | undefined {
  const mod = optionalPeer<{ Producer: new (options: object) => PlatformaticProducer }>('@platformatic/kafka')
  if (mod === undefined) return undefined
  return new mod.Producer({ clientId, bootstrapBrokers: brokers, acks: -1, compression, autocreateTopics: false })
}
