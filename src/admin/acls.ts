// ACLs (KafkaJS's describeAcls, createAcls, deleteAcls), sent to any broker, which forwards
// changes to the controller. Each ACL created and each filter deleted succeeds or fails on its
// own. The broker needs an authorizer; without one every call fails with SECURITY_DISABLED.

import { CreateAcls, createCreateAclsRequestAclCreation } from '../protocol/generated/create-acls.js'
import { createDeleteAclsRequestDeleteAclsFilter, DeleteAcls } from '../protocol/generated/delete-acls.js'
import { DescribeAcls } from '../protocol/generated/describe-acls.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import type { AdminContext } from './context.js'
import {
  type AclOperationType,
  AclOperationTypes,
  type AclPermissionType,
  AclPermissionTypes,
  type AclResourceType,
  AclResourceTypes,
  isEnumValue,
  type ResourcePatternType,
  ResourcePatternTypes,
} from './enums.js'
import { matchByPosition, settle, valuesOrFirstError } from './settle.js'
import { argsObject, asText, isRecord, kafkaJSInvalid } from './validate.js'

export interface Acl {
  principal: string
  host: string
  operation: AclOperationType
  permissionType: AclPermissionType
}

export interface AclResource {
  resourceType: AclResourceType
  resourceName: string
  resourcePatternType: ResourcePatternType
}

export type AclEntry = Acl & AclResource

export interface AclFilter {
  resourceType: AclResourceType
  /** Default: any name. */
  resourceName?: string
  resourcePatternType: ResourcePatternType
  /** Default: any principal. */
  principal?: string
  /** Default: any host. */
  host?: string
  operation: AclOperationType
  permissionType: AclPermissionType
}

/** describeAcls takes the pattern filter as resourcePatternType, or as KafkaJS's documentation names it. */
export type DescribeAclsFilter =
  | AclFilter
  | (Omit<AclFilter, 'resourcePatternType'> & { resourcePatternTypeFilter: ResourcePatternType })

export interface DescribeAclResponse {
  throttleTime: number
  errorCode: number
  errorMessage?: string | null
  resources: Array<AclResource & { acls: Acl[] }>
}

export interface MatchingAcl extends AclEntry {
  errorCode: number
  errorMessage?: string | null
}

export interface DeleteAclResponse {
  throttleTime: number
  filterResponses: Array<{ errorCode: number; errorMessage?: string | null; matchingAcls: MatchingAcl[] }>
}

/** The ACLs matching the filter, grouped by resource. */
export async function describeAcls(ctx: AdminContext, options: DescribeAclsFilter): Promise<DescribeAclResponse> {
  const op = 'describeAcls'
  const args = argsObject(op, options)
  // KafkaJS's documentation names the pattern filter resourcePatternTypeFilter
  const resourcePatternType = args.resourcePatternType ?? args.resourcePatternTypeFilter
  const { principal, host, resourceName, operation, permissionType, resourceType } = args
  if (typeof principal !== 'string' && principal !== undefined)
    kafkaJSInvalid('Invalid principal, the principal have to be a valid string')
  if (typeof host !== 'string' && host !== undefined) kafkaJSInvalid('Invalid host, the host have to be a valid string')
  if (typeof resourceName !== 'string' && resourceName !== undefined)
    kafkaJSInvalid('Invalid resourceName, the resourceName have to be a valid string')
  if (!isEnumValue(AclOperationTypes, operation)) kafkaJSInvalid(`Invalid operation type ${asText(operation)}`)
  if (!isEnumValue(ResourcePatternTypes, resourcePatternType))
    kafkaJSInvalid(`Invalid resource pattern filter type ${asText(resourcePatternType)}`)
  if (!isEnumValue(AclPermissionTypes, permissionType))
    kafkaJSInvalid(`Invalid permission type ${asText(permissionType)}`)
  if (!isEnumValue(AclResourceTypes, resourceType)) kafkaJSInvalid(`Invalid resource type ${asText(resourceType)}`)
  const filter = toWireFilter({ ...args, resourcePatternType })
  const response = await ctx.withRetry(op, async () => {
    const connection = await ctx.cluster.anyConnection()
    const answer = await connection.send(DescribeAcls, DescribeAcls.createRequest(filter))
    if (answer.errorCode !== ErrorCode.NONE) throw protocolError(answer.errorCode, answer.errorMessage ?? undefined)
    return answer
  })
  // KafkaJS's describeAcls returns { resources } only, whatever its declarations name besides
  return {
    resources: response.resources.map((r) => ({
      resourceType: r.resourceType as AclResourceType,
      resourceName: r.resourceName,
      resourcePatternType: r.patternType as ResourcePatternType,
      acls: r.acls.map((a) => ({
        principal: a.principal,
        host: a.host,
        operation: a.operation as AclOperationType,
        permissionType: a.permissionType as AclPermissionType,
      })),
    })),
  } as DescribeAclResponse
}

/** Creates the ACLs; those the broker refuses are thrown together, the others are created. */
export async function createAcls(ctx: AdminContext, options: { acl: AclEntry[] }): Promise<boolean> {
  const op = 'createAcls'
  const args = argsObject(op, options)
  const acl = args.acl
  if (!acl || !Array.isArray(acl)) kafkaJSInvalid(`Invalid ACL array ${asText(acl)}`)
  if (acl.length === 0) kafkaJSInvalid('Empty ACL array')
  const entries = checkAclEntries(
    acl as unknown[],
    'ACL array',
    (name) => typeof name === 'string',
  ) as unknown as AclEntry[]
  const results = await settle(
    entries,
    async (pending) => {
      const connection = await ctx.cluster.anyConnection()
      const request = CreateAcls.createRequest({
        creations: pending.map((e) =>
          createCreateAclsRequestAclCreation({
            resourceType: e.resourceType,
            resourceName: e.resourceName,
            resourcePatternType: e.resourcePatternType,
            principal: e.principal,
            host: e.host,
            operation: e.operation,
            permissionType: e.permissionType,
          }),
        ),
      })
      const response = await connection.send(CreateAcls, request)
      return matchByPosition(pending, response.results, { value: () => true, describe: describeAcl })
    },
    { operation: op, retry: ctx.retry, logger: ctx.logger, beforeRetry: (error) => ctx.cluster.noteError(error) },
  )
  // as KafkaJS: the first ACL the broker refused fails the call
  valuesOrFirstError(entries, results)
  return true
}

/** Deletes the ACLs matching each filter and returns them per filter (as KafkaJS). */
export async function deleteAcls(ctx: AdminContext, options: { filters: AclFilter[] }): Promise<DeleteAclResponse> {
  const op = 'deleteAcls'
  const args = argsObject(op, options)
  const raw = args.filters
  if (!raw || !Array.isArray(raw)) kafkaJSInvalid(`Invalid ACL Filter array ${asText(raw)}`)
  if (raw.length === 0) kafkaJSInvalid('Empty ACL Filter array')
  const optional = (value: unknown) => typeof value === 'string' || value === undefined
  const filters = checkAclEntries(raw as unknown[], 'ACL Filter array', optional).map(toWireFilter)
  const results = await settle(
    filters,
    async (pending) => {
      const connection = await ctx.cluster.anyConnection()
      const request = DeleteAcls.createRequest({
        filters: pending.map((f) => createDeleteAclsRequestDeleteAclsFilter(f)),
      })
      const response = await connection.send(DeleteAcls, request)
      return matchByPosition(pending, response.filterResults, {
        value: (result) => ({
          errorCode: 0,
          errorMessage: null,
          matchingAcls: result.matchingAcls.map((m) => ({
            errorCode: m.errorCode,
            errorMessage: m.errorMessage,
            resourceType: m.resourceType as AclResourceType,
            resourceName: m.resourceName,
            resourcePatternType: m.patternType as ResourcePatternType,
            principal: m.principal,
            host: m.host,
            operation: m.operation as AclOperationType,
            permissionType: m.permissionType as AclPermissionType,
          })),
        }),
        describe: (f) => `filter ${describeFilter(f)}`,
      })
    },
    { operation: op, retry: ctx.retry, logger: ctx.logger, beforeRetry: (error) => ctx.cluster.noteError(error) },
  )
  // as KafkaJS: the first filter the broker refused, then the first matching ACL it could not delete, fails the call
  const filterResponses = valuesOrFirstError(filters, results)
  const undeleted = filterResponses.flatMap((r) => r.matchingAcls).find((m) => m.errorCode !== ErrorCode.NONE)
  if (undeleted !== undefined) {
    throw protocolError(undeleted.errorCode, undeleted.errorMessage ?? describeAcl(undeleted))
  }
  // KafkaJS's deleteAcls returns { filterResponses } only (its declarations name a throttleTime too)
  return { filterResponses } as DeleteAclResponse
}

interface WireFilter {
  resourceTypeFilter: number
  resourceNameFilter: string | null
  patternTypeFilter: number
  principalFilter: string | null
  hostFilter: string | null
  operation: number
  permissionType: number
}

/**
 * KafkaJS's checks of createAcls entries and deleteAcls filters, in its order and with its texts
 * (`what` is "ACL array" or "ACL Filter array"); `stringOk` says which principal, host and
 * resourceName values pass. The broker judges the rest (e.g. ANY in an ACL to create).
 */
function checkAclEntries(
  entries: readonly unknown[],
  what: string,
  stringOk: (value: unknown) => boolean,
): Array<Record<string, unknown>> {
  const items = entries.map((e) => (isRecord(e) ? e : {}))
  if (items.some((e) => !stringOk(e.principal)))
    kafkaJSInvalid(`Invalid ${what}, the principals have to be a valid string`)
  if (items.some((e) => !stringOk(e.host))) kafkaJSInvalid(`Invalid ${what}, the hosts have to be a valid string`)
  if (items.some((e) => !stringOk(e.resourceName)))
    kafkaJSInvalid(`Invalid ${what}, the resourceNames have to be a valid string`)
  const firstInvalid = (field: string, enumeration: Readonly<Record<string, number>>, text: string): void => {
    const bad = items.find((e) => !isEnumValue(enumeration, e[field]))
    if (bad !== undefined) kafkaJSInvalid(`Invalid ${text} ${asText(bad[field])}: ${JSON.stringify(bad)}`)
  }
  firstInvalid('operation', AclOperationTypes, 'operation type')
  firstInvalid('resourcePatternType', ResourcePatternTypes, 'resource pattern type')
  firstInvalid('permissionType', AclPermissionTypes, 'permission type')
  firstInvalid('resourceType', AclResourceTypes, 'resource type')
  return items
}

/** A filter KafkaJS's checks passed, as DeleteAcls and DescribeAcls carry it. */
function toWireFilter(value: Record<string, unknown>): WireFilter {
  const optional = (v: unknown) => (typeof v === 'string' ? v : null)
  return {
    resourceTypeFilter: value.resourceType as number,
    resourceNameFilter: optional(value.resourceName),
    patternTypeFilter: value.resourcePatternType as number,
    principalFilter: optional(value.principal),
    hostFilter: optional(value.host),
    operation: value.operation as number,
    permissionType: value.permissionType as number,
  }
}

function nameOf(enumeration: Readonly<Record<string, number>>, value: number): string {
  return Object.entries(enumeration).find(([, v]) => v === value)?.[0] ?? String(value)
}

function describeAcl(a: AclEntry): string {
  return (
    `${nameOf(AclPermissionTypes, a.permissionType)} ${a.principal} ${nameOf(AclOperationTypes, a.operation)} ` +
    `from ${a.host} on ${nameOf(AclResourceTypes, a.resourceType)} ${a.resourceName} ` +
    `(${nameOf(ResourcePatternTypes, a.resourcePatternType)})`
  )
}

function describeFilter(f: WireFilter): string {
  return (
    `${nameOf(AclPermissionTypes, f.permissionType)} ${f.principalFilter ?? '*'} ${nameOf(AclOperationTypes, f.operation)} ` +
    `from ${f.hostFilter ?? '*'} on ${nameOf(AclResourceTypes, f.resourceTypeFilter)} ${f.resourceNameFilter ?? '*'} ` +
    `(${nameOf(ResourcePatternTypes, f.patternTypeFilter)})`
  )
}
