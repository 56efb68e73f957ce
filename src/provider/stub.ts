/**
 * The dynamic provider as Pulumi serializes it into the resource's state. It is deliberately thin: the
 * provider process calls `configure` once, right after loading this text and before any other method
 * (@pulumi/pulumi's cmd/dynamic-provider), and `configure` installs the methods of the implementation it
 * loads at run time from the project the provider process runs in (its working directory is the project
 * root). So upgrades reach existing resources, the state carries under 1 KB instead of the code, nothing
 * here can capture a credential, and the settings live on the instance (race-free).
 *
 * If the implementation cannot be loaded, every method fails with the reason: the SDK caches the provider
 * once `configure` ran, and would otherwise skip the methods it lacks without a word. The reason is one line
 * (Node's "Require stack" that follows it names only the SDK's files) and carries no stack (the provider
 * process prints errors with theirs): it is a set-up step to take, not a defect. No
 * comment goes inside `configure`: it is serialized as written, comments included.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as Implementation from "./implementation";

/** Installs the implementation's methods on the provider; `this` is the provider the SDK deserialized. */
async function configure(this: pulumi.dynamic.ResourceProvider, request: pulumi.dynamic.ConfigureRequest): Promise<void> {
  try {
    Object.assign(this, (require(require("path").resolve("dist/provider/implementation.js")) as typeof Implementation).providerMethods("checkpoints", request.config));
  } catch (error) {
    const fail = () => Promise.reject(Object.assign(new Error(`${(error as Error).message.split("\n")[0]}; run npm run build`), { stack: "" }));
    Object.assign(this, { check: fail, diff: fail, create: fail, update: fail, read: fail, delete: fail });
  }
}

/** Only `configure` until it runs: the SDK calls it first, before anything it would otherwise miss. */
const partial: Partial<pulumi.dynamic.ResourceProvider> = { configure };
export const checkpointsProvider = partial as pulumi.dynamic.ResourceProvider;
