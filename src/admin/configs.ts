// Config operations: describeConfigs and alterConfigs (KafkaJS) and incrementalAlterConfigs
// (SET/DELETE/APPEND/SUBTRACT, beyond KafkaJS). A broker's own configs (BROKER or BROKER_LOGGER
// named by node id) can only be read or changed on that broker; everything else goes to the least
// busy broker, which forwards changes to the controller. Each resource succeeds or fails on its own.

import type { Connection } from '../network/connection.js'
import {
  AlterConfigs,
  createAlterConfigsRequestAlterableConfig,
  createAlterConfigsRequestAlterConfigsResource,
} from '../protocol/generated/alter-configs.js'
import {
  createDescribeConfigsRequestDescribeConfigsResource,
  DescribeConfigs,
  type DescribeConfigsResponseDescribeConfigsResourceResult,
} from '../protocol/generated/describe-configs.js'
import {
  createIncrementalAlterConfigsRequestAlterableConfig,
  createIncrementalAlterConfigsRequestAlterConfigsResource,
  IncrementalAlterConfigs,
} from '../protocol/generated/incremental-alter-configs.js'
import type { AdminContext } from './context.js'
import {
  type AlterConfigOpType,
  AlterConfigOpTypes,
  type ConfigResourceType,
  ConfigResourceTypes,
  ConfigSource,
  isEnumValue,
} from './enums.js'
import { type Destination, groupBy, type Routes, retriableUnlessUnknownTopic, sendPerNode } from './routing.js'
import { matchResults, type Outcome, settle, valuesOrFirstError } from './settle.js'
import {
  argsObject,
  arrayArg,
  asText,
  booleanArg,
  enumArg,
  invalid,
  isRecord,
  kafkaJSInvalid,
  noDuplicates,
  show,
  stringArg,
} from './validate.js'

export interface ResourceConfigQuery {
  type: ConfigResourceType
  name: string
  /** Only these configs; default: every config of the resource. */
  configNames?: string[]
}

export interface ConfigSynonym {
  configName: string
  configValue: string | null
  configSource: number
}

export interface ConfigEntry {
  configName: string
  configValue: string | null
  readOnly: boolean
  isDefault: boolean
  configSource: number
  isSensitive: boolean
  configSynonyms: ConfigSynonym[]
  /** With includeDocumentation. */
  configType?: number
  documentation?: string | null
}

export interface DescribeConfigResponse {
  resources: Array<{
    configEntries: ConfigEntry[]
    errorCode: number
    errorMessage: string | null
    resourceName: string
    resourceType: number
  }>
  throttleTime: number
}

export interface IResourceConfig {
  type: ConfigResourceType
  name: string
  configEntries: Array<{ name: string; value: string }>
}

export interface IncrementalResourceConfig {
  type: ConfigResourceType
  name: string
  configEntries: Array<{
    name: string
    /** Not needed for DELETE. */
    value?: string | null
    /** Default SET. */
    operation?: AlterConfigOpType
  }>
}

export interface AlterConfigsResponse {
  resources: Array<{ errorCode: number; errorMessage: string | null; resourceName: string; resourceType: number }>
  throttleTime: number
}

interface Resource {
  readonly type: number
  readonly name: string
}

export async function describeConfigs(
  ctx: AdminContext,
  options: { resources: ResourceConfigQuery[]; includeSynonyms?: boolean; includeDocumentation?: boolean },
): Promise<DescribeConfigResponse> {
  const op = 'describeConfigs'
  const args = argsObject(op, options)
  const resources = parseResources(op, args.resources, (raw) => {
    if (!Array.isArray(raw.configNames) && raw.configNames != null)
      kafkaJSInvalid(`Invalid resource configNames ${asText(raw.configNames)}: ${JSON.stringify(raw)}`)
    const names = raw.configNames as unknown[] | null | undefined
    return {
      configNames: names === undefined || names === null ? null : names.map((n) => String(n)),
    }
  })
  const includeSynonyms = Boolean(args.includeSynonyms)
  const includeDocumentation = Boolean(args.includeDocumentation)
  const described = await perResource(ctx, op, resources, async (connection, items) => {
    const request = DescribeConfigs.createRequest({
      resources: items.map((r) =>
        createDescribeConfigsRequestDescribeConfigsResource({
          resourceType: r.type,
          resourceName: r.name,
          configurationKeys: r.configNames,
        }),
      ),
      includeSynonyms,
      includeDocumentation,
    })
    const response = await connection.send(DescribeConfigs, request)
    return matchResults(items, response.results, {
      ...resourceMatch,
      value: (result) => ({
        configEntries: result.configs.map((c) => configEntry(c, includeDocumentation)),
        ...resourceResult(result),
      }),
    })
  })
  // KafkaJS's declarations name a throttleTime its describeConfigs never returns: the result is
  // { resources } as KafkaJS's, typed as KafkaJS declares it
  return { resources: described } as DescribeConfigResponse
}

/** Replaces the whole dynamic config of each resource with `configEntries` (Kafka's legacy AlterConfigs). */
export async function alterConfigs(
  ctx: AdminContext,
  options: { resources: IResourceConfig[]; validateOnly?: boolean },
): Promise<AlterConfigsResponse> {
  const op = 'alterConfigs'
  const args = argsObject(op, options)
  const resources = parseResources(
    op,
    args.resources,
    (raw) => {
      const entries = raw.configEntries as Array<{ name: string; value: string }>
      return {
        configs: entries.map((e) => createAlterConfigsRequestAlterableConfig({ name: e.name, value: e.value })),
      }
    },
    (all) => {
      const noEntries = all.find((r) => !Array.isArray(r.configEntries))
      if (noEntries !== undefined) {
        kafkaJSInvalid(
          `Invalid resource configEntries ${asText(noEntries.configEntries)}: ${JSON.stringify(noEntries)}`,
        )
      }
      const badValue = all.find((r) =>
        (r.configEntries as unknown[]).some(
          (e) => !isRecord(e) || typeof e.name !== 'string' || typeof e.value !== 'string',
        ),
      )
      if (badValue !== undefined) kafkaJSInvalid(`Invalid resource config value: ${JSON.stringify(badValue)}`)
    },
  )
  const validateOnly = Boolean(args.validateOnly)
  const altered = await perResource(ctx, op, resources, async (connection, items) => {
    const request = AlterConfigs.createRequest({
      resources: items.map(({ type, name, configs }) =>
        createAlterConfigsRequestAlterConfigsResource({ resourceType: type, resourceName: name, configs }),
      ),
      validateOnly,
    })
    const response = await connection.send(AlterConfigs, request)
    return matchResults(items, response.responses, { ...resourceMatch, value: resourceResult })
  })
  // as KafkaJS's alterConfigs, { resources } only (KafkaJS declares a throttleTime it never returns)
  return { resources: altered } as AlterConfigsResponse
}

/** Sets, deletes, appends to or subtracts from single configs, leaving the others as they are. */
export async function incrementalAlterConfigs(
  ctx: AdminContext,
  options: { resources: IncrementalResourceConfig[]; validateOnly?: boolean },
): Promise<AlterConfigsResponse> {
  const op = 'incrementalAlterConfigs'
  const args = argsObject(op, options)
  const resources = parseResources(op, args.resources, (raw) => {
    const where = describeResource({ type: raw.type as number, name: raw.name as string })
    const configs = arrayArg<unknown>(op, `${where}: configEntries`, raw.configEntries, { nonEmpty: true }).map(
      (e, j) => {
        if (!isRecord(e))
          invalid(op, `${where}: configEntries[${j}] must be { name, value, operation }, got ${show(e)}`)
        const name = stringArg(op, `${where}: configEntries[${j}].name`, e.name)
        const operation =
          e.operation === undefined
            ? AlterConfigOpTypes.SET
            : enumArg(op, `${where}: config ${name}: operation`, AlterConfigOpTypes, e.operation)
        const value =
          operation === AlterConfigOpTypes.DELETE
            ? null
            : stringArg(op, `${where}: config ${name}: value`, e.value, { nonEmpty: false })
        return createIncrementalAlterConfigsRequestAlterableConfig({ name, configOperation: operation, value })
      },
    )
    noDuplicates(op, `${where}: config`, configs, (e) => e.name)
    return { configs }
  })
  const validateOnly = booleanArg(op, 'validateOnly', args.validateOnly, false)
  const altered = await perResource(ctx, op, resources, async (connection, items) => {
    const request = IncrementalAlterConfigs.createRequest({
      resources: items.map(({ type, name, configs }) =>
        createIncrementalAlterConfigsRequestAlterConfigsResource({ resourceType: type, resourceName: name, configs }),
      ),
      validateOnly,
    })
    const response = await connection.send(IncrementalAlterConfigs, request)
    return matchResults(items, response.responses, { ...resourceMatch, value: resourceResult })
  })
  // the same shape as alterConfigs' result
  return { resources: altered } as AlterConfigsResponse
}

/**
 * The resources of a call, checked as KafkaJS checks them (array, not empty, each type, then each
 * name, with its texts), then by `checkAll` (the call's own KafkaJS checks over every resource),
 * each with what `details` reads from it (config names, entries); no duplicates.
 */
function parseResources<D>(
  op: string,
  value: unknown,
  details: (raw: Record<string, unknown>) => D,
  checkAll?: (raw: Array<Record<string, unknown>>) => void,
): Array<Resource & D> {
  if (!value || !Array.isArray(value)) kafkaJSInvalid(`Invalid resources array ${asText(value)}`)
  if (value.length === 0) kafkaJSInvalid('Resources array cannot be empty')
  const raw = (value as unknown[]).map((r, i) => {
    if (!isRecord(r)) invalid(op, `resources[${i}] must be { type, name }, got ${show(r)}`)
    return r
  })
  const badType = raw.find((r) => !isEnumValue(ConfigResourceTypes, r.type))
  if (badType !== undefined) kafkaJSInvalid(`Invalid resource type ${asText(badType.type)}: ${JSON.stringify(badType)}`)
  const badName = raw.find((r) => !r.name || typeof r.name !== 'string')
  if (badName !== undefined) kafkaJSInvalid(`Invalid resource name ${asText(badName.name)}: ${JSON.stringify(badName)}`)
  checkAll?.(raw)
  const resources = raw.map((r, i) => {
    const resource = resourceArg(op, `resources[${i}]`, r)
    return { ...resource, ...details(r) }
  })
  noDuplicates(op, 'resource', resources, describeResource)
  return resources
}

/**
 * Sends each resource where it belongs and returns the values in the order given; the resources
 * that fail (after retries of retriable errors) are thrown together, the others are applied.
 */
async function perResource<K extends Resource, V>(
  ctx: AdminContext,
  op: string,
  resources: readonly K[],
  send: (connection: Connection, items: readonly K[]) => Promise<ReadonlyMap<K, Outcome<V>>>,
): Promise<V[]> {
  const results = await settle(resources, (pending) => sendPerNode(ctx, routeResources(pending), send), {
    operation: op,
    retry: ctx.retry,
    logger: ctx.logger,
    retriable: retriableUnlessUnknownTopic,
    beforeRetry: (error) => ctx.cluster.noteError(error),
  })
  // as KafkaJS: the first resource the broker refused fails the call
  return valuesOrFirstError(resources, results)
}

const resourceMatch = {
  keyOfItem: resourceKey,
  keyOfResult: (result: { resourceType: number; resourceName: string }) =>
    resourceKey({ type: result.resourceType, name: result.resourceName }),
  describe: describeResource,
}

function resourceResult(result: { resourceType: number; resourceName: string }) {
  return { errorCode: 0, errorMessage: null, resourceName: result.resourceName, resourceType: result.resourceType }
}

/**
 * A broker's own configs live on that broker (its node id is the resource name); the cluster-wide
 * default (empty name) and every other resource type go to any broker.
 */
function routeResources<K extends Resource>(resources: readonly K[]): Routes<K> {
  const byNode = groupBy<Destination, K>(resources, (r) => {
    const ownBroker =
      (r.type === ConfigResourceTypes.BROKER || r.type === ConfigResourceTypes.BROKER_LOGGER) && r.name !== ''
    return ownBroker ? Number(r.name) : 'any'
  })
  return { byNode, unroutable: new Map() }
}

/** A resource KafkaJS's checks passed; a broker's own configs must name it by node id to be routed. */
function resourceArg(op: string, name: string, value: Record<string, unknown>): Resource {
  const type = value.type as ConfigResourceType
  const resourceName = value.name as string
  const brokerScoped = type === ConfigResourceTypes.BROKER || type === ConfigResourceTypes.BROKER_LOGGER
  if (brokerScoped && !/^\d+$/.test(resourceName)) {
    invalid(op, `${name}.name of a broker resource must be a node id such as "1", got ${show(resourceName)}`)
  }
  return { type, name: resourceName }
}

function resourceKey(r: Resource): string {
  return `${r.type}:${r.name}`
}

function describeResource(r: Resource): string {
  const type = Object.entries(ConfigResourceTypes).find(([, v]) => v === r.type)?.[0] ?? String(r.type)
  return `${type} ${JSON.stringify(r.name)}`
}

function configEntry(c: DescribeConfigsResponseDescribeConfigsResourceResult, withDocumentation: boolean): ConfigEntry {
  return {
    configName: c.name,
    configValue: c.value,
    readOnly: c.readOnly,
    isDefault: c.configSource === ConfigSource.DEFAULT_CONFIG,
    configSource: c.configSource,
    isSensitive: c.isSensitive,
    configSynonyms: c.synonyms.map((s) => ({ configName: s.name, configValue: s.value, configSource: s.source })),
    ...(withDocumentation && { configType: c.configType, documentation: c.documentation }),
  }
}
