// What the ecosystem scripts share: the run's settings from the environment, bounded waits, and the
// one line of output integration/ecosystem.test.ts reads. CommonJS (a .js file in a project without
// "type": "module"), so that the CommonJS scripts and the ES module ones load it alike.
//
// Environment: KAFKA_BROKERS (host:port,...), ECOSYSTEM_PREFIX (prefix of the run's topics and
// groups), ECOSYSTEM_WAIT_MS (how long the whole run may wait, in total).

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter((b) => b !== '')
const prefix = process.env.ECOSYSTEM_PREFIX ?? `ecosystem-${process.pid}`
const deadline = Date.now() + Number(process.env.ECOSYSTEM_WAIT_MS ?? 60000)

/** Milliseconds left before the run's deadline; throws naming `what` once it has passed. */
function remaining(what) {
  const ms = deadline - Date.now()
  if (ms <= 0) throw new Error(`timed out waiting for ${what}`)
  return ms
}

/** Polls `check` (which may return a promise) until it holds, failing at the run's deadline. */
async function waitFor(what, check) {
  while (!(await check())) {
    remaining(what)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** `promise`'s outcome, or a failure naming `what` at the run's deadline. */
async function within(promise, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), remaining(what))
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Creates the run's topics with `Kafka` (the script's kafkajs) and waits until every partition's
 * leader answers as leader: a new topic's metadata names its leaders before they take requests, and
 * the clients under test would log the NOT_LEADER answers they retry, among the entries the test reads.
 */
async function createTopics(Kafka, topics) {
  const admin = new Kafka({ clientId: `${prefix}-admin`, brokers, logLevel: 0 }).admin()
  await admin.connect()
  try {
    await admin.createTopics({ waitForLeaders: true, topics })
    for (const { topic } of topics) {
      await waitFor(`the leaders of ${topic}`, () =>
        admin.fetchTopicOffsets(topic).then(
          () => true,
          () => false,
        ),
      )
    }
  } finally {
    await admin.disconnect()
  }
}

/**
 * Runs `main` and prints `RESULT <json>`: what it returned, or its error with `diagnostics()`. A run
 * that completed is never told to exit: it has to end by itself, which is how the test finds handles
 * left open. A failed run has not closed what it opened, so it exits at once instead of making the
 * test wait for a process that cannot end.
 */
function report(main, diagnostics) {
  main().then(
    (result) => process.stdout.write(`RESULT ${JSON.stringify({ prefix, ...result })}\n`),
    (error) => {
      const failure = { prefix, error: error?.stack ?? String(error), ...diagnostics() }
      process.stdout.write(`RESULT ${JSON.stringify(failure)}\n`, () => process.exit(1))
    },
  )
}

module.exports = { brokers, prefix, remaining, waitFor, within, createTopics, report }
