// A NestJS Kafka microservice and a NestJS Kafka client, written as a NestJS user writes them, run
// against whatever package the project it is copied into resolves as `kafkajs` (kafkit installed
// under that name, or KafkaJS itself). integration/ecosystem.test.ts runs it in a process of its own
// and reads the RESULT line it prints once the app and the client are closed (script-harness.js).

import 'reflect-metadata'
import { createRequire } from 'node:module'
import { Controller, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ClientKafka, Ctx, EventPattern, MessagePattern, Payload, RpcException, Transport } from '@nestjs/microservices'
import { Kafka } from 'kafkajs'
import { firstValueFrom, lastValueFrom } from 'rxjs'
import harness from './script-harness.js'

const { brokers, prefix, waitFor, within, createTopics, report } = harness
const topics = {
  sum: `${prefix}.math.sum`,
  fail: `${prefix}.math.fail`,
  created: `${prefix}.user.created`,
  flaky: `${prefix}.user.flaky`,
}

// Nest's logger, recording what the framework and the Kafka client log through it (ServerKafka and
// ClientKafka hand the client a logCreator that writes to it).
const logged = []
const recordingLogger = {}
for (const level of ['log', 'error', 'warn', 'debug', 'verbose', 'fatal']) {
  recordingLogger[level] = (message, ...rest) => {
    const text =
      typeof message === 'string' ? message : message instanceof Error ? message.stack : JSON.stringify(message)
    logged.push({ level, text, context: rest.at(-1) })
  }
}

const created = []
const flakyAttempts = []

class UsersAndMath {
  sum(numbers) {
    return numbers.reduce((total, n) => total + n, 0)
  }

  fail(what) {
    throw new RpcException({ status: 'error', message: `cannot ${what}` })
  }

  userCreated(user, context) {
    created.push({ ...user, topic: context.getTopic(), partition: context.getPartition() })
  }

  flaky(event) {
    flakyAttempts.push(event.id)
    // the first delivery fails as NestJS reports it to the client library (RpcException -> plain object)
    if (flakyAttempts.length === 1) throw new RpcException(`flaky handler failed on ${event.id}`)
  }
}

// The decorators a TypeScript user writes above the class, its methods and their parameters, applied
// by hand as TypeScript's output applies them.
function decorateMethod(name, decorators) {
  const prototype = UsersAndMath.prototype
  const descriptor = Object.getOwnPropertyDescriptor(prototype, name)
  Object.defineProperty(prototype, name, Reflect.decorate(decorators, prototype, name, descriptor))
}
const parameter = (index, decorator) => (target, name) => decorator(target, name, index)
decorateMethod('sum', [MessagePattern(topics.sum), parameter(0, Payload())])
decorateMethod('fail', [MessagePattern(topics.fail), parameter(0, Payload())])
decorateMethod('userCreated', [EventPattern(topics.created), parameter(0, Payload()), parameter(1, Ctx())])
decorateMethod('flaky', [EventPattern(topics.flaky), parameter(0, Payload())])
const Handlers = Reflect.decorate([Controller()], UsersAndMath)
class AppModule {}
const App = Reflect.decorate([Module({ controllers: [Handlers] })], AppModule)

async function main() {
  const result = { steps: [] }
  const step = (name) => result.steps.push(name)
  const kafkaOptions = {
    client: { clientId: prefix, brokers },
    // the topics are new: reading from the beginning keeps what was sent before a member joined
    subscribe: { fromBeginning: true },
  }

  const require = createRequire(import.meta.url)
  const kafkaPackage = require('kafkajs/package.json')
  result.kafkajs = { name: kafkaPackage.name, version: kafkaPackage.version }

  // The request and reply topics exist before the app starts, as in a deployment.
  await createTopics(
    Kafka,
    // two partitions each, so that ClientKafka's reply partition assigner has a choice; one for the
    // flaky events, so that the log entry of its failure names the same partition on every run
    Object.values(topics).flatMap((topic) => [
      { topic, numPartitions: topic === topics.flaky ? 1 : 2 },
      { topic: `${topic}.reply`, numPartitions: 2 },
    ]),
  )
  step('topics created')

  const app = await NestFactory.createMicroservice(App, {
    transport: Transport.KAFKA,
    options: { ...kafkaOptions, consumer: { groupId: `${prefix}-service` } },
    logger: recordingLogger,
  })
  await within(app.listen(), 'app.listen()')
  step('app listening')

  const client = new ClientKafka({ ...kafkaOptions, consumer: { groupId: `${prefix}-caller` } })
  client.subscribeToResponseOf(topics.sum)
  client.subscribeToResponseOf(topics.fail)
  await within(client.connect(), 'client.connect()')
  // ClientKafka sends requests only once its reply consumer has joined and holds a reply partition
  await waitFor('the reply partitions', () => {
    const assigned = client.getConsumerAssignments()
    return `${topics.sum}.reply` in assigned && `${topics.fail}.reply` in assigned
  })
  step('client connected')

  for (const id of [1, 2, 3]) {
    await within(lastValueFrom(client.emit(topics.created, { id, name: `user ${id}` })), 'an emitted event')
  }
  result.sums = await within(
    Promise.all([
      firstValueFrom(client.send(topics.sum, [1, 2, 3])),
      firstValueFrom(client.send(topics.sum, [10, 20, 30, 40])),
    ]),
    'the replies',
  )
  step('requests answered')
  result.failure = await within(
    firstValueFrom(client.send(topics.fail, 'divide by zero')).then(
      (value) => ({ resolved: value }),
      (error) => ({ rejected: error }),
    ),
    'the failing request',
  )
  step('failing request answered')
  // NestJS 12 loads kafkajs with import() and the app requires it: an error from NestJS's client must
  // be one of the classes the app sees (KafkaJS refuses a send without a topic itself)
  const { KafkaJSError } = require('kafkajs')
  result.clientError = await within(
    lastValueFrom(client.emit('', { id: 0 })).then(
      () => ({ resolved: true }),
      (error) => ({ name: error.name, message: error.message, isKafkaJSError: error instanceof KafkaJSError }),
    ),
    'an event without a topic',
  )
  await within(lastValueFrom(client.emit(topics.flaky, { id: 'f-1' })), 'an emitted event')
  await waitFor('three created users', () => created.length >= 3)
  await waitFor('the flaky event to be delivered again', () => flakyAttempts.length >= 2)
  step('events handled')

  await within(client.close(), 'client.close()')
  await within(app.close(), 'app.close()')
  step('closed')

  result.created = created.sort((a, b) => a.id - b.id)
  result.flakyAttempts = flakyAttempts
  result.logged = logged.filter((entry) => entry.level === 'error' || entry.level === 'fatal' || entry.level === 'warn')
  return result
}

report(main, () => ({ logged }))
