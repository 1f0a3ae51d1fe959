// Client quotas (beyond KafkaJS): describeClientQuotas and alterClientQuotas, on any broker (which
// forwards changes to the controller). An entity is a map of entity type ('user', 'client-id',
// 'ip') to a name, null naming the default entity of that type.

import {
  AlterClientQuotas,
  createAlterClientQuotasRequestEntryData,
} from '../protocol/generated/alter-client-quotas.js'
import {
  createDescribeClientQuotasRequestComponentData,
  DescribeClientQuotas,
} from '../protocol/generated/describe-client-quotas.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import type { AdminContext } from './context.js'
import { type QuotaMatchType, QuotaMatchTypes } from './enums.js'
import { matchResults, settle, valuesOrThrow } from './settle.js'
import {
  argsObject,
  arrayArg,
  booleanArg,
  enumArg,
  invalid,
  isRecord,
  noDuplicates,
  optionalString,
  show,
  stringArg,
} from './validate.js'

/** e.g. { user: 'alice' }, { user: 'alice', 'client-id': 'app' }, { user: null } (the default user). */
export type QuotaEntity = Record<string, string | null>

export interface QuotaFilterComponent {
  entityType: string
  /** The name to match (EXACT). */
  match?: string | null
  /** Default: EXACT when `match` is a string, DEFAULT when it is null, ANY when it is absent. */
  matchType?: QuotaMatchType
}

export interface ClientQuotaEntry {
  entity: QuotaEntity
  /** Quota values by key, e.g. { producer_byte_rate: 1048576 }. */
  values: Record<string, number>
}

export interface ClientQuotaAlteration {
  entity: QuotaEntity
  /** Set `value` for `key`, or remove the key's quota. */
  ops: Array<{ key: string; value?: number; remove?: boolean }>
}

/** The quotas of the entities matching every component (strict: entities with no other types). */
export async function describeClientQuotas(
  ctx: AdminContext,
  options: { components: QuotaFilterComponent[]; strict?: boolean },
): Promise<{ entries: ClientQuotaEntry[] }> {
  const op = 'describeClientQuotas'
  const args = argsObject(op, options)
  const components = arrayArg<unknown>(op, 'components', args.components).map((c, i) => {
    if (!isRecord(c)) invalid(op, `components[${i}] must be { entityType, match?, matchType? }, got ${show(c)}`)
    const entityType = stringArg(op, `components[${i}].entityType`, c.entityType)
    const match = c.match === null ? null : optionalString(op, `components[${i}].match`, c.match)
    const matchType =
      c.matchType !== undefined
        ? enumArg(op, `components[${i}].matchType`, QuotaMatchTypes, c.matchType)
        : match === undefined
          ? QuotaMatchTypes.ANY
          : match === null
            ? QuotaMatchTypes.DEFAULT
            : QuotaMatchTypes.EXACT
    if (matchType === QuotaMatchTypes.EXACT && typeof match !== 'string') {
      invalid(op, `components[${i}] (${entityType}): an EXACT match needs a match name`)
    }
    return createDescribeClientQuotasRequestComponentData({
      entityType,
      matchType,
      match: matchType === QuotaMatchTypes.EXACT ? (match as string) : null,
    })
  })
  const strict = booleanArg(op, 'strict', args.strict, false)
  const response = await ctx.withRetry(op, async () => {
    const connection = await ctx.cluster.anyConnection()
    const answer = await connection.send(
      DescribeClientQuotas,
      DescribeClientQuotas.createRequest({ components, strict }),
    )
    if (answer.errorCode !== ErrorCode.NONE) throw protocolError(answer.errorCode, answer.errorMessage ?? undefined)
    return answer
  })
  return {
    entries: (response.entries ?? []).map((e) => ({
      entity: Object.fromEntries(e.entity.map((d) => [d.entityType, d.entityName])),
      values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
    })),
  }
}

/** Sets or removes quota values per entity; each entity succeeds or fails on its own. */
export async function alterClientQuotas(
  ctx: AdminContext,
  options: { entries: ClientQuotaAlteration[]; validateOnly?: boolean },
): Promise<void> {
  const op = 'alterClientQuotas'
  const args = argsObject(op, options)
  const entries = arrayArg<unknown>(op, 'entries', args.entries, { nonEmpty: true }).map((e, i) => {
    if (!isRecord(e)) invalid(op, `entries[${i}] must be { entity, ops }, got ${show(e)}`)
    const entity = entityArg(op, `entries[${i}].entity`, e.entity)
    const where = `entity ${entityKey(entity)}`
    const ops = arrayArg<unknown>(op, `${where}: ops`, e.ops, { nonEmpty: true }).map((o, j) => {
      if (!isRecord(o))
        invalid(op, `${where}: ops[${j}] must be { key, value } or { key, remove: true }, got ${show(o)}`)
      const key = stringArg(op, `${where}: ops[${j}].key`, o.key)
      const remove = booleanArg(op, `${where}: ${key}: remove`, o.remove, false)
      if (!remove && (typeof o.value !== 'number' || !Number.isFinite(o.value))) {
        invalid(op, `${where}: ${key}: value must be a finite number (or remove: true), got ${show(o.value)}`)
      }
      return { key, value: remove ? 0 : (o.value as number), remove }
    })
    noDuplicates(op, `${where}: key`, ops, (o) => o.key)
    return { entity, ops }
  })
  noDuplicates(op, 'entity', entries, (e) => entityKey(e.entity))
  const validateOnly = booleanArg(op, 'validateOnly', args.validateOnly, false)
  const results = await settle(
    entries,
    async (pending) => {
      const connection = await ctx.cluster.anyConnection()
      const request = AlterClientQuotas.createRequest({
        entries: pending.map((e) =>
          createAlterClientQuotasRequestEntryData({ entity: toWireEntity(e.entity), ops: e.ops }),
        ),
        validateOnly,
      })
      const response = await connection.send(AlterClientQuotas, request)
      return matchResults(pending, response.entries, {
        keyOfItem: (e) => entityKey(e.entity),
        keyOfResult: (r) => entityKey(Object.fromEntries(r.entity.map((d) => [d.entityType, d.entityName]))),
        value: () => undefined,
        describe: (e) => `entity ${entityKey(e.entity)}`,
      })
    },
    { operation: op, retry: ctx.retry, logger: ctx.logger, beforeRetry: (error) => ctx.cluster.noteError(error) },
  )
  valuesOrThrow(op, entries, results, (e) => ({ entity: entityKey(e.entity) }))
}

function entityArg(op: string, name: string, value: unknown): QuotaEntity {
  if (!isRecord(value) || Object.keys(value).length === 0) {
    invalid(op, `${name} must map entity types to names, e.g. { user: 'alice' }, got ${show(value)}`)
  }
  for (const [type, entityName] of Object.entries(value)) {
    if (entityName !== null && typeof entityName !== 'string') {
      invalid(op, `${name}.${type} must be a name or null (the default entity), got ${show(entityName)}`)
    }
  }
  return value as QuotaEntity
}

function toWireEntity(entity: QuotaEntity) {
  return Object.entries(entity).map(([entityType, entityName]) => ({ entityType, entityName }))
}

/** A stable text form of an entity, e.g. client-id=app,user=alice; user=<default>. */
function entityKey(entity: QuotaEntity): string {
  return Object.entries(entity)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, name]) => `${type}=${name ?? '<default>'}`)
    .join(',')
}
