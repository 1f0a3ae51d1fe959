// How the consumer's parts send a request: through the consumer's instrumentation (KafkaJS's
// consumer.network.* events) when there is one, else straight to the connection.

import type { Connection, SendOptions } from '../network/connection.js'
import type { ApiDefinition } from '../protocol/api.js'

export type RequestSender = <Req, Res>(
  connection: Connection,
  api: ApiDefinition<Req, Res>,
  request: Req,
  options?: SendOptions,
) => Promise<Res>

export const directSend: RequestSender = (connection, api, request, options) => connection.send(api, request, options)
