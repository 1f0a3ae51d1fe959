// One request on a fresh connection with the generated protocol modules, for tests of the harness
// itself (they must not depend on the client they help to test).

import type { ApiDefinition } from '../../src/protocol/api.js'
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/frame.js'
import { exchange } from '../../src/testing/probe.js'
import { hostAndPort } from './brokers.js'

let correlationId = 1

export async function sendRawRequest<Req, Res>(
  broker: string,
  api: ApiDefinition<Req, Res>,
  version: number,
  request: Req,
  timeoutMs = 10_000,
): Promise<Res> {
  const { host, port } = hostAndPort(broker)
  const id = correlationId++
  const frame = await exchange(
    host,
    port,
    encodeRequestFrame(api, version, id, 'kafkit-harness-test', request),
    timeoutMs,
  )
  return decodeResponseFrame(api, version, frame)
}
