/**
 * State schema 1: one `StreamCheckpoints` resource per (app, stream) and one `App` per app. Stacks last
 * applied by it are moved to the Checkpoints resource by `dis-checkpoints migrate`, which rewrites the state
 * without a commit; until then the program refuses to run (an `up` would otherwise delete those resources).
 * What remains here is what such a state still needs: reading it for the migration, and `destroy` and
 * `refresh` behaving as they did.
 */
import { z } from "zod";
import type * as pulumi from "@pulumi/pulumi";
import type { DisClient } from "../dis";
import { DECIMAL_DIGITS_PATTERN, NAME_PATTERN, PARTITION_ORDINAL_PATTERN } from "../contract";
import { ProjectError } from "../errors";
import { clientFromSettings } from "./client";
import { runBounded } from "./concurrency";
import type { StreamDeclaration } from "./model";
import type { ProviderSettings } from "./settings";

export const LEGACY_STREAM_TYPE = "pulumi-nodejs:dynamic/dis-checkpoints:StreamCheckpoints";
export const LEGACY_APP_TYPE = "pulumi-nodejs:dynamic/dis-checkpoints:App";

const name = z.string().regex(NAME_PATTERN);
const ordinalKey = z.string().regex(PARTITION_ORDINAL_PATTERN);
const digits = z.string().regex(DECIMAL_DIGITS_PATTERN);

/** The outputs of a schema-1 StreamCheckpoints resource, as far as the migration reads them. */
const legacyStream = z.object({
  app: name,
  stream: name,
  partitions: z.record(ordinalKey, digits),
  metadata: z.record(ordinalKey, z.string()).default({}),
  allowSkip: z.boolean().default(false),
  onDelete: z.enum(["retain", "delete"]).default("retain"),
  revision: z.number().int().nonnegative().default(0),
  previous: z.record(ordinalKey, digits.nullable()).default({}),
});

export type LegacyStream = z.output<typeof legacyStream>;

export class LegacyStateError extends ProjectError {
  override name = "LegacyStateError";
  readonly code = "legacy-state";
}

export function parseLegacyStream(outputs: unknown, urn: string): LegacyStream {
  const parsed = legacyStream.safeParse(outputs);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LegacyStateError(`${urn}: not a dis-checkpoints StreamCheckpoints state (${issue.path.join(".") || "(root)"}: ${issue.message})`);
  }
  return parsed.data;
}

export function legacyDeclaration(stream: LegacyStream): StreamDeclaration {
  return {
    app: stream.app,
    stream: stream.stream,
    partitions: stream.partitions,
    metadata: stream.metadata,
    allowSkip: stream.allowSkip,
    onDelete: stream.onDelete,
    revision: stream.revision,
    whileConsumersRun: "refuse",
    partitionRevisions: {},
  };
}

const MIGRATE = "this stack's state is from dis-checkpoints schema 1; run `dis-checkpoints migrate --stack <stack>` once (it rewrites the state and commits nothing)";

async function refuse(): Promise<never> {
  throw new LegacyStateError(MIGRATE);
}

type DeleteCheckpoint = (client: DisClient, target: { app: string; stream: string; partition: number }) => Promise<void>;

/** The schema-1 kinds: refresh keeps them as they are, destroy deletes what `onDelete: delete` said, nothing else runs. */
export function legacyKinds(deleteCheckpoint: DeleteCheckpoint) {
  const read = async (_settings: ProviderSettings, id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> => ({ id, props });
  const common = { check: refuse, diff: refuse, create: refuse, update: refuse, read };
  return {
    streamCheckpoints: {
      ...common,
      async delete(settings: ProviderSettings, _id: string, props: Record<string, unknown>): Promise<void> {
        const stream = parseLegacyStream(props, "StreamCheckpoints");
        if (stream.onDelete !== "delete") return;
        const client = clientFromSettings(settings);
        try {
          const targets = Object.keys(stream.partitions).map((key) => ({ app: stream.app, stream: stream.stream, partition: Number(key) }));
          await runBounded(targets, settings.concurrency, (target) => deleteCheckpoint(client, target));
        } finally {
          await client.close();
        }
      },
    },
    apps: { ...common, async delete(): Promise<void> {} },
  };
}
