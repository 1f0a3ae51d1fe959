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
  type ResourcePatternType,
  ResourcePatternTypes,
} from './enums.js'
import { matchByPosition, settle, valuesOrThrow } from './settle.js'
import { argsObject, arrayArg, enumArg, invalid, isRecord, optionalString, show, stringArg } from './validate.js'

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
  const filter = aclFilter(op, 'filter', {
    ...args,
    // KafkaJS's documentation names the pattern filter resourcePatternTypeFilter
    resourcePatternType: args.resourcePatternType ?? args.resourcePatternTypeFilter,
  })
  const response = await ctx.withRetry(op, async () => {
    const connection = await ctx.cluster.anyConnection()
    const answer = await ctx.send(connection, DescribeAcls, DescribeAcls.createRequest(filter))
    if (answer.errorCode !== ErrorCode.NONE) throw protocolError(answer.errorCode, answer.errorMessage ?? undefined)
    return answer
  })
  return {
    throttleTime: response.throttleTimeMs,
    errorCode: 0,
    errorMessage: null,
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
  }
}

/** Creates the ACLs; those the broker refuses are thrown together, the others are created. */
export async function createAcls(ctx: AdminContext, options: { acl: AclEntry[] }): Promise<boolean> {
  const op = 'createAcls'
  const args = argsObject(op, options)
  const entries = arrayArg<unknown>(op, 'acl', args.acl, { nonEmpty: true }).map((a, i) => aclEntry(op, `acl[${i}]`, a))
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
      const response = await ctx.send(connection, CreateAcls, request)
      return matchByPosition(pending, response.results, { value: () => true, describe: describeAcl })
    },
    { operation: op, retry: ctx.retry, logger: ctx.logger, beforeRetry: (error) => ctx.cluster.noteError(error) },
  )
  valuesOrThrow(op, entries, results, aclItem)
  return true
}

/** Deletes the ACLs matching each filter and returns them per filter (as KafkaJS). */
export async function deleteAcls(ctx: AdminContext, options: { filters: AclFilter[] }): Promise<DeleteAclResponse> {
  const op = 'deleteAcls'
  const args = argsObject(op, options)
  const filters = arrayArg<unknown>(op, 'filters', args.filters, { nonEmpty: true }).map((f, i) =>
    aclFilter(op, `filters[${i}]`, f),
  )
  const results = await settle(
    filters,
    async (pending) => {
      const connection = await ctx.cluster.anyConnection()
      const request = DeleteAcls.createRequest({
        filters: pending.map((f) => createDeleteAclsRequestDeleteAclsFilter(f)),
      })
      const response = await ctx.send(connection, DeleteAcls, request)
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
  const filterResponses = valuesOrThrow(op, filters, results, filterItem)
  // an ACL that matched but could not be deleted fails on its own too
  const undeleted = filterResponses.flatMap((r) => r.matchingAcls.filter((m) => m.errorCode !== ErrorCode.NONE))
  if (undeleted.length > 0) {
    const failures = new Map(
      undeleted.map((m) => [m, { error: protocolError(m.errorCode, m.errorMessage ?? describeAcl(m)) }]),
    )
    valuesOrThrow(op, undeleted, failures, aclItem)
  }
  return { throttleTime: 0, filterResponses }
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

/** An ACL to create: concrete values only (no ANY, MATCH or UNKNOWN), which the broker would refuse. */
function aclEntry(op: string, name: string, value: unknown): AclEntry {
  if (!isRecord(value)) invalid(op, `${name} must be an ACL entry object, got ${show(value)}`)
  const where = `${name} (${show(value.resourceName)} for ${show(value.principal)})`
  const entry: AclEntry = {
    resourceType: enumArg(op, `${where}: resourceType`, AclResourceTypes, value.resourceType),
    resourceName: stringArg(op, `${where}: resourceName`, value.resourceName),
    resourcePatternType: enumArg(op, `${where}: resourcePatternType`, ResourcePatternTypes, value.resourcePatternType),
    principal: stringArg(op, `${where}: principal`, value.principal),
    host: stringArg(op, `${where}: host`, value.host),
    operation: enumArg(op, `${where}: operation`, AclOperationTypes, value.operation),
    permissionType: enumArg(op, `${where}: permissionType`, AclPermissionTypes, value.permissionType),
  }
  const concrete = (v: number, field: string) => {
    if (v <= 1) invalid(op, `${where}: ${field} must name one value to create an ACL, not UNKNOWN or ANY`)
  }
  concrete(entry.resourceType, 'resourceType')
  concrete(entry.operation, 'operation')
  concrete(entry.permissionType, 'permissionType')
  if (
    entry.resourcePatternType !== ResourcePatternTypes.LITERAL &&
    entry.resourcePatternType !== ResourcePatternTypes.PREFIXED
  ) {
    invalid(op, `${where}: resourcePatternType must be LITERAL or PREFIXED to create an ACL`)
  }
  if (!/^[^:]+:.+$/.test(entry.principal)) invalid(op, `${where}: principal must be "Type:name", e.g. "User:alice"`)
  return entry
}

function aclFilter(op: string, name: string, value: unknown): WireFilter {
  if (!isRecord(value)) invalid(op, `${name} must be an ACL filter object, got ${show(value)}`)
  return {
    resourceTypeFilter: enumArg(op, `${name}.resourceType`, AclResourceTypes, value.resourceType),
    resourceNameFilter: optionalString(op, `${name}.resourceName`, value.resourceName) ?? null,
    patternTypeFilter: enumArg(op, `${name}.resourcePatternType`, ResourcePatternTypes, value.resourcePatternType),
    principalFilter: optionalString(op, `${name}.principal`, value.principal) ?? null,
    hostFilter: optionalString(op, `${name}.host`, value.host) ?? null,
    operation: enumArg(op, `${name}.operation`, AclOperationTypes, value.operation),
    permissionType: enumArg(op, `${name}.permissionType`, AclPermissionTypes, value.permissionType),
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

function aclItem(a: AclEntry): Record<string, unknown> {
  return { acl: describeAcl(a) }
}

function describeFilter(f: WireFilter): string {
  return (
    `${nameOf(AclPermissionTypes, f.permissionType)} ${f.principalFilter ?? '*'} ${nameOf(AclOperationTypes, f.operation)} ` +
    `from ${f.hostFilter ?? '*'} on ${nameOf(AclResourceTypes, f.resourceTypeFilter)} ${f.resourceNameFilter ?? '*'} ` +
    `(${nameOf(ResourcePatternTypes, f.patternTypeFilter)})`
  )
}

function filterItem(f: WireFilter): Record<string, unknown> {
  return { filter: describeFilter(f) }
}
