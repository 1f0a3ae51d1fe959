// Runs the JavaScript examples of docs/security.md against the test broker, in a process of its own
// so that NODE_EXTRA_CA_CERTS (read by Node at start) makes `ssl: true` trust the test CA as it
// would trust a public one. Only what a reader would change is changed: `require('kafkit')` gets
// the sources, the broker list becomes the test listener that fits the example's ssl/sasl options,
// and /etc/kafka/ files come from a folder holding the test CA and client certificate.
// stdin: { examples: string[], listeners, certificateDir, password, token }; stdout: one JSON result per example.

require('../scripts/ts-sources.js').registerTsSources()
const { readFileSync } = require('node:fs')
const { join } = require('node:path')

// a computed path: the source is TypeScript, which ts-sources compiles on require
const kafkit = require(join(__dirname, '..', 'src', 'index.ts'))
const input = JSON.parse(readFileSync(0, 'utf8'))
const AsyncFunction = (async () => {}).constructor

function listenerFor(config) {
  const tls = config.ssl !== undefined && config.ssl !== false
  if (config.sasl === undefined) return tls ? 'SSL' : 'PLAINTEXT'
  return tls ? 'SASL_SSL' : 'SASL_PLAINTEXT'
}

async function run(example) {
  const code = example
    .replace(/require\('kafkit'\)/g, '__kafkit')
    .replace(/brokers: \[[^\]]*\]/, 'brokers: () => input.listeners[listenerFor(kafka.config)]')
    .replaceAll('/etc/kafka/', `${input.certificateDir}/`)
  const body = `
    const getAccessToken = async () => input.token
    const readSecret = async () => input.password
    ${code}
    const admin = kafka.admin()
    await admin.connect()
    try {
      return { listener: listenerFor(kafka.config), topics: (await admin.listTopics()).length }
    } finally {
      await admin.disconnect()
    }`
  const fn = new AsyncFunction('__kafkit', 'require', 'input', 'listenerFor', body)
  return fn(kafkit, require, input, listenerFor)
}

;(async () => {
  const results = []
  for (const example of input.examples) {
    try {
      results.push({ ok: true, ...(await run(example)) })
    } catch (error) {
      results.push({ ok: false, error: `${error?.name}: ${error?.message}` })
    }
  }
  process.stdout.write(JSON.stringify(results))
})()
