// Kafka's text form of a Uuid: 16 bytes as URL-safe base64 without padding (22 characters),
// the same form Java's Uuid.toString() and the Kafka tools print.

import { KafkaJSInvalidArgumentError } from '../../errors.js'

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

export function uuidFromBytes(buffer: Buffer, offset: number): string {
  return buffer.toString('base64url', offset, offset + 16)
}

export function uuidToBytes(value: string, target: Buffer, offset: number): void {
  if (value.length !== 22) {
    throw new KafkaJSInvalidArgumentError(`invalid uuid ${JSON.stringify(value)}: expected 22 base64url characters`)
  }
  const written = target.write(value, offset, 16, 'base64url')
  if (written !== 16) {
    throw new KafkaJSInvalidArgumentError(`invalid uuid ${JSON.stringify(value)}: expected 22 base64url characters`)
  }
}
