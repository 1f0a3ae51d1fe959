// What kafkit's TracingChannels cost per operation (src/tracing/channels.ts): the hooks a handler
// call, a send and a broker request go through, without subscribers (the default) and with one
// subscriber that does nothing, against calling the operation directly. Run on demand:
//   npm run bench -- tracing

import { tracingChannel } from 'node:diagnostics_channel'
import type { EachMessagePayload } from '../src/consumer/handlers.js'
import {
  type RequestTraceContext,
  requestsTraced,
  TracingChannels,
  tracedHandlers,
  traceProduce,
  traceRequest,
} from '../src/tracing/channels.js'

const ROUNDS = 5
const OPS = 1_000_000

/** ns per call of fn, the best of ROUNDS rounds of OPS awaited calls. */
async function nsPerOp(fn: () => Promise<unknown>): Promise<number> {
  let best = Number.POSITIVE_INFINITY
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < OPS; i++) await fn()
    best = Math.min(best, Number(process.hrtime.bigint() - start) / OPS)
  }
  return best
}

async function compare(label: string, direct: () => Promise<unknown>, hooked: () => Promise<unknown>): Promise<void> {
  const base = await nsPerOp(direct)
  const untraced = await nsPerOp(hooked)
  const noop = () => {}
  const channel = tracingChannel(
    label === 'eachMessage'
      ? TracingChannels.EACH_MESSAGE
      : label === 'send'
        ? TracingChannels.SEND
        : TracingChannels.REQUEST,
  )
  const subscribers = { start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop }
  channel.subscribe(subscribers)
  const traced = await nsPerOp(hooked)
  channel.unsubscribe(subscribers)
  console.log(
    label.padEnd(12),
    `direct ${base.toFixed(1)} ns`.padStart(18),
    `no subscriber +${(untraced - base).toFixed(1)} ns`.padStart(26),
    `no-op subscriber +${(traced - base).toFixed(1)} ns`.padStart(30),
  )
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, best of ${ROUNDS} rounds of ${OPS} awaited calls`)
  const payload = { topic: 't', partition: 0, message: { offset: '0', headers: {} } } as unknown as EachMessagePayload
  const handler = async (_: EachMessagePayload): Promise<void> => {}
  const { eachMessage } = tracedHandlers({ clientId: 'c', clusterId: () => 'id', groupId: 'g' }, handler, undefined)
  await compare(
    'eachMessage',
    () => handler(payload),
    () => eachMessage!(payload),
  )

  const record = { topic: 't', messages: [{ value: 'v' }] }
  const send = async (): Promise<number> => 1
  const producer = { clientId: 'c', clusterId: () => 'id', transactionalId: undefined }
  await compare('send', send, () => traceProduce(producer, 'send', record, undefined, send))

  // a fresh literal per request, as the connection builds it (a spread copy would be far slower)
  const context = (): RequestTraceContext => ({
    clientId: 'c',
    client: 'producer',
    broker: 'b:9092',
    host: 'b',
    port: 9092,
    apiKey: 0,
    apiName: 'Produce',
    apiVersion: 12,
    correlationId: 1,
    expectResponse: true,
  })
  await compare('request', send, () => (requestsTraced() ? traceRequest(context(), send) : send()))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
