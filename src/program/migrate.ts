/**
 * The one-time move of a stack from state schema 1 (one `App` per app and one `StreamCheckpoints` per app
 * and stream) to schema 2 (one `Checkpoints` resource): a rewrite of the exported state, committing nothing.
 * Pulumi's aliases cannot merge many resources into one, and an `up` of the new program over the old state
 * would delete the old resources (deleting the checkpoints of `onDelete: delete` streams), so the state is
 * rewritten instead: what each StreamCheckpoints resource records as declared becomes the applied record,
 * its replaced positions the restore point. Pure; the CLI exports and imports (src/cli/migrate.ts).
 */
import {
  checkpointsResourceId,
  LEGACY_APP_TYPE,
  LEGACY_STREAM_TYPE,
  legacyDeclaration,
  parseLegacyStream,
  STATE_SCHEMA,
  storeStream,
  streamKey,
  encodePositions,
  type CheckpointsInputs,
  type CheckpointsOutputs,
  type StoredStream,
} from "../provider";
import { CHECKPOINTS_RESOURCE_NAME, CHECKPOINTS_TYPE, OUTPUTS, restorePointOutput } from "./declarations";

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  parent?: string;
  provider?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface UntypedDeployment {
  version: number;
  deployment: { resources?: StateResource[]; pending_operations?: unknown[]; [field: string]: unknown };
}

export type MigrationResult =
  | { kind: "migrated"; deployment: UntypedDeployment; apps: number; streams: number; checkpoints: number }
  | { kind: "nothing-to-migrate" }
  | { kind: "refused"; reason: string };

export function migrateDeployment(exported: UntypedDeployment, providerText: string): MigrationResult {
  const resources = exported.deployment.resources ?? [];
  if ((exported.deployment.pending_operations ?? []).length > 0) {
    return { kind: "refused", reason: "the state has pending operations from an interrupted run: run `pulumi cancel` if a run is stuck, then `pulumi refresh`, and migrate again" };
  }
  const legacyStreams = resources.filter((resource) => resource.type === LEGACY_STREAM_TYPE);
  const legacyApps = resources.filter((resource) => resource.type === LEGACY_APP_TYPE);
  if (legacyStreams.length === 0 && legacyApps.length === 0) return { kind: "nothing-to-migrate" };
  if (resources.some((resource) => resource.type === CHECKPOINTS_TYPE)) {
    return { kind: "refused", reason: "the state holds resources of both schemas; restore it from a backup taken before the mix" };
  }
  const root = resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
  const template = legacyStreams[0] ?? legacyApps[0]!;
  const applied: Record<string, StoredStream> = {};
  const restore: Record<string, Map<number, string | null>> = {};
  let checkpoints = 0;
  for (const resource of legacyStreams) {
    const stream = parseLegacyStream(resource.outputs, resource.urn);
    const key = streamKey(stream.app, stream.stream);
    applied[key] = storeStream(legacyDeclaration(stream));
    checkpoints += Object.keys(stream.partitions).length;
    if (Object.keys(stream.previous).length > 0) restore[key] = new Map(Object.entries(stream.previous).map(([ordinal, value]) => [Number(ordinal), value]));
  }
  const apps: CheckpointsOutputs["apps"] = {};
  for (const resource of legacyApps) {
    const name = String(resource.outputs?.app ?? resource.urn.split("::").pop());
    apps[name] = resource.outputs?.adopted === true ? "adopted" : "created";
  }
  const createdAt = new Date().toISOString();
  const restorePoint = Object.keys(restore).length === 0 ? null : { at: createdAt, streams: Object.fromEntries(Object.entries(restore).map(([key, map]) => [key, encodePositions(map)])) };
  const inputs: CheckpointsInputs & { __provider: string } = { schema: STATE_SCHEMA, streams: applied, gate: { streams: {}, createApps: [] }, __provider: providerText };
  const outputs: CheckpointsOutputs & { __provider: string } = {
    schema: STATE_SCHEMA,
    applied,
    apps,
    restorePoint,
    failures: [],
    lastRun: { planned: 0, commits: 0, appsCreated: 0, deletes: 0, verified: 0 },
    __provider: providerText,
  };
  // urn:pulumi:<stack>::<project>::<type>::<name>
  const urn = [...template.urn.split("::").slice(0, 2), CHECKPOINTS_TYPE, CHECKPOINTS_RESOURCE_NAME].join("::");
  const checkpointsResource: StateResource = {
    urn,
    custom: true,
    // Schema-1 ids start with the project id: `<project id>/<app>[/<stream>]`.
    id: checkpointsResourceId(String(template.id ?? "").split("/")[0]!),
    type: CHECKPOINTS_TYPE,
    inputs: inputs as unknown as Record<string, unknown>,
    outputs: outputs as unknown as Record<string, unknown>,
    ...(template.parent !== undefined ? { parent: template.parent } : {}),
    ...(template.provider !== undefined ? { provider: template.provider } : {}),
  };
  const kept = resources.filter((resource) => resource.type !== LEGACY_STREAM_TYPE && resource.type !== LEGACY_APP_TYPE);
  const migratedRoot = root && {
    ...root,
    outputs: {
      ...root.outputs,
      [OUTPUTS.schema]: STATE_SCHEMA,
      [OUTPUTS.applied]: applied,
      [OUTPUTS.restorePoint]: restorePointOutput(restorePoint),
    },
  };
  // Pulumi keeps resources after what they depend on: the Checkpoints resource goes right after its provider
  // (a provider reference is `<provider urn>::<provider id>`).
  const providerUrn = template.provider?.split("::").slice(0, -1).join("::");
  const ordered = kept.map((resource) => (resource === root ? migratedRoot! : resource));
  const providerIndex = ordered.findIndex((resource) => resource.urn === providerUrn);
  ordered.splice(providerIndex < 0 ? ordered.length : providerIndex + 1, 0, checkpointsResource);
  return {
    kind: "migrated",
    deployment: { ...exported, deployment: { ...exported.deployment, resources: ordered } },
    apps: Object.keys(apps).length,
    streams: legacyStreams.length,
    checkpoints,
  };
}
