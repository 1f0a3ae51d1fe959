// Option checks shared by the network and cluster layers. Each failure names the option, the rule
// and the value given, so a misconfiguration fails at construction with a message that fixes it.

import { KafkaJSInvalidArgumentError } from '../errors.js'

/** Node's timers overflow (and fire at once) above this. */
export const MAX_TIMER_MS = 2 ** 31 - 1

export function invalidOption(name: string, rule: string, value: unknown): never {
  const shown = typeof value === 'string' || Array.isArray(value) ? JSON.stringify(value) : String(value)
  throw new KafkaJSInvalidArgumentError(`${name} must be ${rule}, got ${shown}`)
}

/** A duration option in ms: an integer from 1 to the largest timer Node can set. */
export function durationOption(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback
  if (!Number.isInteger(v) || v <= 0 || v > MAX_TIMER_MS)
    invalidOption(name, `an integer between 1 and ${MAX_TIMER_MS} (ms)`, v)
  return v
}

/** "host:port", "[ipv6]:port" or "ipv6-without-brackets:port" into its parts. */
export function parseHostPort(address: string, name: string): { host: string; port: number } {
  if (typeof address !== 'string') invalidOption(name, 'a "host:port" string', address)
  const colon = address.lastIndexOf(':')
  let host = address.slice(0, colon)
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  const portText = address.slice(colon + 1)
  const port = Number(portText)
  if (colon <= 0 || host.length === 0 || !/^\d+$/.test(portText) || port < 1 || port > 65535) {
    invalidOption(name, 'a "host:port" string with a port between 1 and 65535', address)
  }
  return { host, port }
}
