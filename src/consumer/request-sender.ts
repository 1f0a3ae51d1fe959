// How the consumer's parts send a request. The connections report every request to the consumer's
// instrumentation themselves (consumer.network.* events), so the default goes straight to them.

import type { Connection, SendOptions } from '../network/connection.js'
import type { ApiDefinition } from '../protocol/api.js'

export type RequestSender = <Req, Res>(
  connection: Connection,
  api: ApiDefinition<Req, Res>,
  request: Req,
  options?: SendOptions,
) => Promise<Res>

export const directSend: RequestSender = (connection, api, request, options) => connection.send(api, request, options)
