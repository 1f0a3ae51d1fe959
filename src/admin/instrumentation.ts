// The admin client's instrumentation: the shared client events under the 'admin' prefix
// (`admin.on(admin.events.CONNECT, listener)` returns the function that removes the listener).

import { ClientInstrumentation, clientEvents } from '../cluster/client-instrumentation.js'
import type { Logger } from '../common/logger.js'

export type { InstrumentationEvent, RemoveInstrumentationEventListener } from '../cluster/client-instrumentation.js'

export const AdminEvents = clientEvents('admin')
export type AdminEvents = typeof AdminEvents
export type AdminEventName = AdminEvents[keyof AdminEvents]

export class AdminInstrumentation extends ClientInstrumentation<'admin'> {
  constructor(clientId: string, logger: Logger) {
    super('admin', clientId, logger)
  }
}
