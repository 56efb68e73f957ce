/**
 * Declarations as the program and the provider see them, and as the stack's state records them. Pure and
 * free of the Pulumi SDK, so commands that only read declarations or state start fast.
 */
import type { DesiredState } from "../desired";
import { parseStreamDeclaration, type StreamDeclaration } from "../provider";

/** Type tokens: `pulumi-nodejs:dynamic/dis-checkpoints:App` and `…:StreamCheckpoints`. */
export const RESOURCE_MODULE = "dis-checkpoints";
export const STREAM_CHECKPOINTS_TYPE = `pulumi-nodejs:dynamic/${RESOURCE_MODULE}:StreamCheckpoints`;
export const APP_TYPE = `pulumi-nodejs:dynamic/${RESOURCE_MODULE}:App`;

/** The stack output holding the live positions the last committing `up` replaced. */
export const RESTORE_POINT_OUTPUT = "restorePoint";

/** The resource name of one (app, stream), also the key of declaration maps. */
export function streamCheckpointsName(app: string, stream: string): string {
  return `${app}/${stream}`;
}

/** A declaration together with where each of its partitions was declared. */
export interface LocatedDeclaration {
  declaration: StreamDeclaration;
  partitionSources: Map<number, string>;
}

export function toDeclarations(state: DesiredState): LocatedDeclaration[] {
  const located: LocatedDeclaration[] = [];
  for (const app of state.apps) {
    for (const stream of app.streams) {
      const partitions: Record<string, string> = {};
      const metadata: Record<string, string> = {};
      const partitionSources = new Map<number, string>();
      for (const partition of stream.partitions) {
        partitions[String(partition.ordinal)] = partition.sequenceNumber;
        if (partition.metadata !== undefined) metadata[String(partition.ordinal)] = partition.metadata;
        const { file, line, column } = partition.source;
        partitionSources.set(partition.ordinal, `${file}:${line}:${column}`);
      }
      located.push({
        declaration: {
          app: app.name,
          stream: stream.name,
          partitions,
          metadata,
          allowSkip: stream.allowSkip,
          onDelete: stream.onDelete,
          revision: stream.revision,
        },
        partitionSources,
      });
    }
  }
  return located;
}

/** An exported stack (`pulumi stack export`), as far as this module reads it. */
export interface ExportedStack {
  deployment?: { resources?: ReadonlyArray<{ type?: string; outputs?: unknown }> };
}

/** One output of the stack as last applied (the root `pulumi:pulumi:Stack` resource's outputs). */
export function stackOutput(deployment: ExportedStack, name: string): unknown {
  const root = deployment.deployment?.resources?.find((resource) => resource.type === "pulumi:pulumi:Stack");
  const outputs = root?.outputs as Record<string, unknown> | undefined;
  return outputs?.[name];
}

/** The declarations of the StreamCheckpoints resources in an exported stack, keyed by `app/stream`. */
export function previousDeclarations(deployment: ExportedStack): Map<string, StreamDeclaration> {
  const previous = new Map<string, StreamDeclaration>();
  const resources = deployment.deployment?.resources ?? [];
  for (const resource of resources) {
    if (resource.type !== STREAM_CHECKPOINTS_TYPE || !resource.outputs) continue;
    const declaration = parseStreamDeclaration(resource.outputs);
    previous.set(streamCheckpointsName(declaration.app, declaration.stream), declaration);
  }
  return previous;
}
