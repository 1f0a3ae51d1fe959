// SCRAM credentials (beyond KafkaJS): describeUserScramCredentials and alterUserScramCredentials
// (KIP-554), on any broker. The password never leaves the client: it is salted and hashed here
// (SaltedPassword = Hi(password, salt, iterations) of RFC 5802, i.e. PBKDF2 with the mechanism's
// HMAC), and only the salt and the salted password are sent.

import { pbkdf2, randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import {
  AlterUserScramCredentials,
  createAlterUserScramCredentialsRequestScramCredentialDeletion,
  createAlterUserScramCredentialsRequestScramCredentialUpsertion,
} from '../protocol/generated/alter-user-scram-credentials.js'
import {
  createDescribeUserScramCredentialsRequestUserName,
  DescribeUserScramCredentials,
} from '../protocol/generated/describe-user-scram-credentials.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import type { AdminContext } from './context.js'
import { type ScramMechanism, ScramMechanisms } from './enums.js'
import { addTo } from './routing.js'
import { failed, matchResults, type Outcome, settle, valuesOrThrow } from './settle.js'
import { argsObject, arrayArg, integerArg, invalid, isRecord, noDuplicates, show, stringArg } from './validate.js'

const derive = promisify(pbkdf2)

/** Kafka's bounds on SCRAM iterations (ScramMechanism.minIterations; the broker's maximum). */
export const MIN_SCRAM_ITERATIONS = 4096
export const MAX_SCRAM_ITERATIONS = 16384

const HASHES = {
  [ScramMechanisms.SCRAM_SHA_256]: { digest: 'sha256', length: 32 },
  [ScramMechanisms.SCRAM_SHA_512]: { digest: 'sha512', length: 64 },
} as const

export interface ScramCredentialInfo {
  mechanism: ScramMechanism
  iterations: number
}

export interface ScramUpsertion {
  user: string
  mechanism: ScramMechanism | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
  /** Default 4096, the minimum Kafka accepts. */
  iterations?: number
  password: string
  /** Default: 32 random bytes. */
  salt?: Buffer
}

export interface ScramDeletion {
  user: string
  mechanism: ScramMechanism | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
}

/** The SCRAM mechanisms and iterations of each user (every user with credentials when none are named). */
export async function describeUserScramCredentials(
  ctx: AdminContext,
  usersArg?: unknown,
): Promise<{ users: Array<{ user: string; credentialInfos: ScramCredentialInfo[] }> }> {
  const op = 'describeUserScramCredentials'
  const users =
    usersArg === undefined || usersArg === null
      ? null
      : arrayArg<unknown>(op, 'users', usersArg).map((u, i) => stringArg(op, `users[${i}]`, u))
  if (users !== null) noDuplicates(op, 'user', users, (u) => u)
  const response = await ctx.withRetry(op, async () => {
    const connection = await ctx.cluster.anyConnection()
    const request = DescribeUserScramCredentials.createRequest({
      users: users?.map((name) => createDescribeUserScramCredentialsRequestUserName({ name })) ?? null,
    })
    const answer = await connection.send(DescribeUserScramCredentials, request)
    if (answer.errorCode !== ErrorCode.NONE) throw protocolError(answer.errorCode, answer.errorMessage ?? undefined)
    return answer
  })
  const describe = (r: (typeof response.results)[number]) => ({
    user: r.user,
    credentialInfos: r.credentialInfos.map((c) => ({
      mechanism: c.mechanism as ScramMechanism,
      iterations: c.iterations,
    })),
  })
  if (users === null) return { users: response.results.map(describe) }
  const results = matchResults(users, response.results, {
    keyOfItem: (u) => u,
    keyOfResult: (r) => r.user,
    value: describe,
    describe: (u) => `user ${u}`,
  })
  return { users: valuesOrThrow(op, users, results, (user) => ({ user })) }
}

/**
 * Creates or replaces (upsertions) and deletes (deletions) SCRAM credentials. Each user succeeds
 * or fails on its own; a user's changes apply in the order given, up to the first that fails.
 */
export async function alterUserScramCredentials(
  ctx: AdminContext,
  options: { upsertions?: ScramUpsertion[]; deletions?: ScramDeletion[] },
): Promise<void> {
  const op = 'alterUserScramCredentials'
  const args = argsObject(op, options)
  const upsertionArgs =
    args.upsertions === undefined
      ? []
      : arrayArg<unknown>(op, 'upsertions', args.upsertions).map((u, i) => upsertionArg(op, i, u))
  const deletions =
    args.deletions === undefined
      ? []
      : arrayArg<unknown>(op, 'deletions', args.deletions).map((d, i) => {
          if (!isRecord(d)) invalid(op, `deletions[${i}] must be { user, mechanism }, got ${show(d)}`)
          const name = stringArg(op, `deletions[${i}].user`, d.user)
          return createAlterUserScramCredentialsRequestScramCredentialDeletion({
            name,
            mechanism: mechanismArg(op, `deletions[${i}] (user ${name}).mechanism`, d.mechanism),
          })
        })
  if (upsertionArgs.length + deletions.length === 0) invalid(op, 'give at least one upsertion or deletion')
  noDuplicates(
    op,
    'credential',
    [...upsertionArgs.map((u) => ({ name: u.user, mechanism: u.mechanism })), ...deletions],
    (c) => `${c.name}/${c.mechanism}`,
  )
  const upsertions = await Promise.all(
    upsertionArgs.map(async (u) => {
      const hash = HASHES[u.mechanism]
      const saltedPassword = await derive(
        Buffer.from(u.password, 'utf8'),
        u.salt,
        u.iterations,
        hash.length,
        hash.digest,
      )
      return createAlterUserScramCredentialsRequestScramCredentialUpsertion({
        name: u.user,
        mechanism: u.mechanism,
        iterations: u.iterations,
        salt: u.salt,
        saltedPassword,
      })
    }),
  )
  type Alteration = { upsertion: (typeof upsertions)[number] } | { deletion: (typeof deletions)[number] }
  const perUser = new Map<string, Alteration[]>()
  for (const upsertion of upsertions) addTo(perUser, upsertion.name, { upsertion })
  for (const deletion of deletions) addTo(perUser, deletion.name, { deletion })
  const users = [...perUser.keys()]
  // Kafka takes one change per user per request: a user's further changes go in the next rounds,
  // and a user whose change failed gets no more
  const failures = new Map<string, Outcome<never>>()
  for (let round = 0; ; round++) {
    const batch = users.filter((u) => !failures.has(u) && perUser.get(u)!.length > round)
    if (batch.length === 0) break
    const changes = batch.map((u) => perUser.get(u)![round]!)
    const results = await settle(
      batch,
      async (pending) => {
        const connection = await ctx.cluster.anyConnection()
        const wanted = changes.filter((c) => pending.includes('upsertion' in c ? c.upsertion.name : c.deletion.name))
        const request = AlterUserScramCredentials.createRequest({
          upsertions: wanted.flatMap((c) => ('upsertion' in c ? [c.upsertion] : [])),
          deletions: wanted.flatMap((c) => ('deletion' in c ? [c.deletion] : [])),
        })
        const response = await connection.send(AlterUserScramCredentials, request)
        return matchResults(pending, response.results, {
          keyOfItem: (u) => u,
          keyOfResult: (r) => r.user,
          value: () => undefined,
          describe: (u) => `user ${u}`,
        })
      },
      { operation: op, retry: ctx.retry, logger: ctx.logger, beforeRetry: (error) => ctx.cluster.noteError(error) },
    )
    for (const [user, outcome] of results) if (outcome.error !== undefined) failures.set(user, failed(outcome.error))
  }
  valuesOrThrow(op, users, new Map(users.map((u) => [u, failures.get(u) ?? { value: undefined }])), (user) => ({
    user,
  }))
}

function upsertionArg(op: string, index: number, value: unknown) {
  if (!isRecord(value)) invalid(op, `upsertions[${index}] must be { user, mechanism, password }, got ${show(value)}`)
  const user = stringArg(op, `upsertions[${index}].user`, value.user)
  const where = `upsertions[${index}] (user ${user})`
  return {
    user,
    mechanism: mechanismArg(op, `${where}.mechanism`, value.mechanism),
    iterations:
      value.iterations === undefined
        ? MIN_SCRAM_ITERATIONS
        : integerArg(op, `${where}.iterations`, value.iterations, {
            min: MIN_SCRAM_ITERATIONS,
            max: MAX_SCRAM_ITERATIONS,
          }),
    password: stringArg(op, `${where}.password`, value.password),
    salt:
      value.salt === undefined
        ? randomBytes(32)
        : Buffer.isBuffer(value.salt) && value.salt.length > 0
          ? value.salt
          : invalid(op, `${where}.salt must be a non-empty Buffer, got ${show(value.salt)}`),
  }
}

function mechanismArg(op: string, name: string, value: unknown): 1 | 2 {
  if (value === ScramMechanisms.SCRAM_SHA_256 || value === 'SCRAM-SHA-256') return ScramMechanisms.SCRAM_SHA_256
  if (value === ScramMechanisms.SCRAM_SHA_512 || value === 'SCRAM-SHA-512') return ScramMechanisms.SCRAM_SHA_512
  return invalid(
    op,
    `${name} must be ScramMechanisms.SCRAM_SHA_256 or SCRAM_SHA_512 (or their names), got ${show(value)}`,
  )
}
