// The ACL specs' shared cases: an entry (or filter) with one field broken, and the DENY bob / ALLOW
// alice pair they create on a topic, as SASL PLAIN users of the conformance cluster.

import { setTimeout as sleep } from 'node:timers/promises'
import {
  type AclEntry,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Admin,
  type Kafka,
  ResourcePatternTypes,
} from '../../../src/index.js'
import { conformanceCluster, createSaslKafka } from '../helpers.js'

/** A client as SASL PLAIN user `name` (test: the cluster's PLAIN user; bob and alice: the ACL specs' users). */
export function saslKafkaFor(name: 'test' | 'bob' | 'alice'): Kafka {
  const users = conformanceCluster().users
  const user = name === 'test' ? users.plain : users[name]
  return createSaslKafka('plain', user, { retry: { retries: 2 } })
}

/** KafkaJS's ACL entry of the invalid-argument cases, with `override` applied. */
export function aclWith(override: Record<string, unknown>): Record<string, unknown> {
  return {
    resourceType: AclResourceTypes.TOPIC,
    resourceName: 'foo',
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: 'User:foo',
    host: '*',
    operation: AclOperationTypes.ALL,
    permissionType: AclPermissionTypes.DENY,
    ...override,
  }
}

/** The specs' pair: every operation on `topic` denied to bob, allowed to alice. */
export function denyBobAllowAlice(topic: string): AclEntry[] {
  const base = {
    resourceType: AclResourceTypes.TOPIC,
    resourceName: topic,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    host: '*',
    operation: AclOperationTypes.ALL,
  } as const
  return [
    { ...base, principal: 'User:bob', permissionType: AclPermissionTypes.DENY },
    { ...base, principal: 'User:alice', permissionType: AclPermissionTypes.ALLOW },
  ]
}

/** The filter of the specs: alice's ALLOW ACLs of any operation on `topic`. */
export function allowedOn(topic: string) {
  return {
    resourceName: topic,
    resourceType: AclResourceTypes.TOPIC,
    host: '*',
    permissionType: AclPermissionTypes.ALLOW,
    operation: AclOperationTypes.ANY,
    resourcePatternType: ResourcePatternTypes.LITERAL,
  } as const
}

/**
 * describeAcls with `filter` once it lists anything. CreateAcls returns once the controller has the
 * ACLs; each broker's authorizer learns them from the metadata log a moment later, and describeAcls
 * may ask another broker, so a read just after can miss them (Kafka's own tests wait likewise).
 */
export async function describeAclsOnceListed(
  admin: Admin,
  filter: Parameters<Admin['describeAcls']>[0],
  timeoutMs = 30_000,
): ReturnType<Admin['describeAcls']> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const described = await admin.describeAcls(filter)
    if (described.resources.length > 0 || Date.now() > deadline) return described
    await sleep(100)
  }
}
