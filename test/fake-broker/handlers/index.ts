// The core handler modules, installed on every FakeCluster in this order. Add a module (one file
// per coordinator or API family, exporting a HandlerModule) to this list to make it part of every
// cluster, or pass it to FakeCluster.start({ modules }) for the tests that need it.

import type { HandlerModule } from '../handler.js'
import { apiVersionsHandlers } from './api-versions.js'
import { coordinatorHandlers } from './coordinators.js'
import { fetchHandlers } from './fetch.js'
import { groupHandlers } from './groups.js'
import { produceHandlers } from './produce.js'
import { topicHandlers } from './topics.js'
import { transactionHandlers } from './transactions.js'

export const coreHandlers: HandlerModule[] = [
  apiVersionsHandlers,
  topicHandlers,
  produceHandlers,
  fetchHandlers,
  coordinatorHandlers,
  transactionHandlers,
  groupHandlers,
]
