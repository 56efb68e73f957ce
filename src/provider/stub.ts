/**
 * The dynamic providers as Pulumi serializes them into every resource's state. They are deliberately thin:
 * the provider process calls `configure` once, synchronously, right after loading this text and before any
 * other method (see pulumi-offline.md §1.5), and `configure` installs the methods of the implementation it
 * loads at run time from the project the provider process runs in (its working directory is the project
 * root). So upgrades reach existing resources, the state carries under 800 bytes per resource instead of
 * the code, nothing here can capture a credential, and the settings live on the instance (race-free).
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as Implementation from "./implementation";

type Kind = keyof ReturnType<typeof Implementation.providerKinds>;

/** A provider whose CRUD methods appear when `configure` runs; Pulumi never calls them before. */
function stub(kind: Kind): pulumi.dynamic.ResourceProvider {
  const provider: Partial<pulumi.dynamic.ResourceProvider> = {
    async configure(request) {
      const implementation: typeof Implementation = require(require("path").resolve("dist/provider/implementation.js"));
      Object.assign(this, implementation.providerMethods(kind, request.config));
    },
  };
  return provider as pulumi.dynamic.ResourceProvider;
}

export const streamCheckpointsProvider = stub("streamCheckpoints");
export const appProvider = stub("apps");
