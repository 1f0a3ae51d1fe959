// Cluster features (beyond KafkaJS): describeFeatures reads the finalized feature levels and the
// ranges a broker supports (ApiVersions v3+); updateFeatures upgrades or downgrades finalized
// levels (UpdateFeatures, handled by the controller).

import { CLIENT_SOFTWARE_NAME } from '../network/connection.js'
import { ApiVersions } from '../protocol/generated/api-versions.js'
import { ErrorCode, protocolError } from '../protocol/generated/errors.js'
import { createUpdateFeaturesRequestFeatureUpdateKey, UpdateFeatures } from '../protocol/generated/update-features.js'
import { VERSION } from '../version.js'
import type { AdminContext } from './context.js'
import { type FeatureUpgradeType, FeatureUpgradeTypes } from './enums.js'
import { failed, matchResults, type Outcome, settle, valuesOrThrow } from './settle.js'
import {
  argsObject,
  arrayArg,
  booleanArg,
  enumArg,
  integerArg,
  invalid,
  isRecord,
  noDuplicates,
  show,
  stringArg,
  timeoutArg,
} from './validate.js'

/** The controller's default wait for a feature update (UpdateFeaturesRequest). */
const DEFAULT_TIMEOUT = 60000

export interface FeatureMetadata {
  /** The metadata offset at which the finalized levels were read; null when the broker does not say. */
  finalizedFeaturesEpoch: string | null
  finalizedFeatures: Record<string, { minVersionLevel: number; maxVersionLevel: number }>
  supportedFeatures: Record<string, { minVersion: number; maxVersion: number }>
}

export interface FeatureUpdate {
  feature: string
  /** The level to finalize; 0 (with a downgrade type) disables the feature. */
  maxVersionLevel: number
  /** Default UPGRADE. */
  upgradeType?: FeatureUpgradeType
}

export async function describeFeatures(ctx: AdminContext): Promise<FeatureMetadata> {
  const response = await ctx.withRetry('describeFeatures', async () => {
    const connection = await ctx.cluster.anyConnection()
    const answer = await connection.send(
      ApiVersions,
      ApiVersions.createRequest({ clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: VERSION }),
    )
    if (answer.errorCode !== ErrorCode.NONE) throw protocolError(answer.errorCode, `broker ${connection.broker}`)
    return answer
  })
  return {
    finalizedFeaturesEpoch: response.finalizedFeaturesEpoch < 0n ? null : response.finalizedFeaturesEpoch.toString(),
    finalizedFeatures: Object.fromEntries(
      response.finalizedFeatures.map((f) => [
        f.name,
        { minVersionLevel: f.minVersionLevel, maxVersionLevel: f.maxVersionLevel },
      ]),
    ),
    supportedFeatures: Object.fromEntries(
      response.supportedFeatures.map((f) => [f.name, { minVersion: f.minVersion, maxVersion: f.maxVersion }]),
    ),
  }
}

/**
 * Finalizes new feature levels. From UpdateFeatures v2 the controller applies all or none (one
 * error for every feature); before, each feature succeeds or fails on its own.
 */
export async function updateFeatures(
  ctx: AdminContext,
  options: { features: FeatureUpdate[]; validateOnly?: boolean; timeout?: number },
): Promise<void> {
  const op = 'updateFeatures'
  const args = argsObject(op, options)
  const updates = arrayArg<unknown>(op, 'features', args.features, { nonEmpty: true }).map((f, i) => {
    if (!isRecord(f)) invalid(op, `features[${i}] must be { feature, maxVersionLevel, upgradeType? }, got ${show(f)}`)
    const feature = stringArg(op, `features[${i}].feature`, f.feature)
    return {
      feature,
      maxVersionLevel: integerArg(op, `feature ${feature}: maxVersionLevel`, f.maxVersionLevel, {
        min: 0,
        max: 2 ** 15 - 1,
      }),
      upgradeType:
        f.upgradeType === undefined
          ? FeatureUpgradeTypes.UPGRADE
          : enumArg(op, `feature ${feature}: upgradeType`, FeatureUpgradeTypes, f.upgradeType),
    }
  })
  noDuplicates(op, 'feature', updates, (u) => u.feature)
  const validateOnly = booleanArg(op, 'validateOnly', args.validateOnly, false)
  const timeout = timeoutArg(op, args.timeout, DEFAULT_TIMEOUT)
  const results = await settle(
    updates,
    async (pending) => {
      const connection = await ctx.cluster.anyConnection()
      const version = connection.versionFor(UpdateFeatures)
      if (version < 1 && validateOnly)
        invalid(op, `broker ${connection.broker} cannot validate only (UpdateFeatures v0)`)
      const request = UpdateFeatures.createRequest({
        timeoutMs: timeout,
        validateOnly,
        featureUpdates: pending.map((u) =>
          createUpdateFeaturesRequestFeatureUpdateKey({
            feature: u.feature,
            maxVersionLevel: u.maxVersionLevel,
            ...(version >= 1
              ? { upgradeType: u.upgradeType }
              : { allowDowngrade: u.upgradeType !== FeatureUpgradeTypes.UPGRADE }),
          }),
        ),
      })
      const response = await connection.send(UpdateFeatures, request, { version })
      if (response.errorCode !== ErrorCode.NONE) {
        const outcome = failed(protocolError(response.errorCode, response.errorMessage ?? undefined))
        return new Map<(typeof pending)[number], Outcome<undefined>>(pending.map((u) => [u, outcome]))
      }
      if (version >= 2) return new Map(pending.map((u) => [u, { value: undefined }]))
      return matchResults(pending, response.results, {
        keyOfItem: (u) => u.feature,
        keyOfResult: (r) => r.feature,
        value: () => undefined,
        describe: (u) => `feature ${u.feature}`,
      })
    },
    { operation: op, retry: ctx.retry, logger: ctx.logger, beforeRetry: (error) => ctx.cluster.noteError(error) },
  )
  valuesOrThrow(op, updates, results, (u) => ({ feature: u.feature }))
}
