// GraphQL subscriptions over Kafka with graphql-kafkajs-subscriptions, written as its README shows,
// run against whatever package the project it is copied into resolves as `kafkajs` (kafkit installed
// under that name, or KafkaJS itself). integration/ecosystem.test.ts runs it in a process of its own
// and reads the RESULT line it prints once everything is disconnected (script-harness.js).

const { Kafka, logLevel } = require('kafkajs')
const { KafkaPubSub } = require('graphql-kafkajs-subscriptions')
const {
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  subscribe,
} = require('graphql')
const { brokers, prefix, remaining, within, createTopics, report } = require('./script-harness.js')

const topic = `${prefix}.graphql-events`

const logged = []
const kafka = new Kafka({
  clientId: prefix,
  brokers,
  logLevel: logLevel.WARN,
  logCreator:
    () =>
    ({ namespace, level, label, log }) => {
      const { timestamp: _timestamp, message, ...extra } = log
      logged.push({ namespace, level, label, message, extra })
    },
})

async function main() {
  const result = { steps: [] }
  const step = (name) => result.steps.push(name)
  const kafkaPackage = require('kafkajs/package.json')
  result.kafkajs = { name: kafkaPackage.name, version: kafkaPackage.version }

  await createTopics(Kafka, [{ topic, numPartitions: 2 }])
  step('topic created')

  const pubsub = await within(KafkaPubSub.create({ topic, kafka, groupIdPrefix: prefix }), 'KafkaPubSub.create()')
  step('pubsub created')

  const Post = new GraphQLObjectType({
    name: 'Post',
    fields: {
      id: { type: new GraphQLNonNull(GraphQLInt) },
      text: { type: new GraphQLNonNull(GraphQLString) },
      author: { type: GraphQLString },
    },
  })
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        postAdded: {
          type: Post,
          args: { channel: { type: new GraphQLNonNull(GraphQLString) } },
          subscribe: (_, args) => pubsub.asyncIterator(args.channel),
          // the payload is the Kafka message: the value is what was published, headers come as Buffers
          resolve: (message) => ({
            ...JSON.parse(message.value.toString()),
            author: message.headers.author?.toString(),
          }),
        },
      },
    }),
  })
  const subscribeTo = async (channel) => {
    const document = parse(`subscription { postAdded(channel: "${channel}") { id text author } }`)
    const iterator = await subscribe({ schema, document })
    if (!(Symbol.asyncIterator in iterator)) throw new Error(`subscription failed: ${JSON.stringify(iterator)}`)
    return iterator
  }
  const news = await subscribeTo('news')
  const sports = await subscribeTo('sports')
  const warmup = await subscribeTo('warmup')

  // The library subscribes from the latest offset, so what is published before its consumer has
  // joined and found its positions is never seen: publish on a channel of its own until one arrives.
  const warmupSeen = within(warmup.next(), 'the consumer to receive its first message')
  let received = false
  warmupSeen.then(
    () => {
      received = true
    },
    () => {},
  )
  for (let i = 0; !received; i++) {
    remaining('the consumer to receive its first message')
    await pubsub.publish('warmup', JSON.stringify({ id: i, text: 'warm-up' }))
    await Promise.race([warmupSeen, new Promise((resolve) => setTimeout(resolve, 250))])
  }
  await warmupSeen
  await warmup.return()
  step('consumer receiving')

  // A subscription registers its channel on its first next(), as a GraphQL server's first read does;
  // messages published on a channel nobody has registered yet are dropped.
  const firstNews = within(news.next(), 'news')
  const firstSports = within(sports.next(), 'sports')
  await new Promise((resolve) => setImmediate(resolve))
  await pubsub.publish('news', JSON.stringify({ id: 1, text: 'first news' }), { author: 'ada' })
  await pubsub.publish('sports', JSON.stringify({ id: 2, text: 'a match' }))
  await pubsub.publish('news', JSON.stringify({ id: 3, text: 'second news' }), { author: 'grace' }, {}, 'key-3')
  // the two news posts went to partitions of their own, so either may come first
  result.news = [(await firstNews).value, (await within(news.next(), 'news')).value]
  result.news.sort((a, b) => a.data.postAdded.id - b.data.postAdded.id)
  result.sports = [(await firstSports).value]
  step('subscriptions delivered')

  await news.return()
  await sports.return()
  // graphql-kafkajs-subscriptions has no close(): its users disconnect its client objects to shut down
  await within(pubsub.producer.disconnect(), 'the producer to disconnect')
  await within(pubsub.consumer.disconnect(), 'the consumer to disconnect')
  step('disconnected')
  result.logged = logged
  return result
}

report(main, () => ({ logged }))
