/**
 * The dynamic providers as Pulumi serializes them into every resource's state. They are deliberately thin:
 * each method loads the compiled implementation at run time from the project the provider process runs in
 * (its working directory is the project root), so upgrades reach existing resources, the state does not
 * carry the code, and nothing here can capture a credential.
 *
 * `configure` runs synchronously to completion before any other method can start (the provider process
 * calls it right after loading the text), so keeping the settings on the instance is race-free.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as Implementation from "./implementation";
import type { ProviderSettings } from "./settings";

function implementation(): typeof Implementation {
  return require(require("path").join(process.cwd(), "dist", "provider", "implementation.js"));
}

type Kind = "streamCheckpoints" | "apps";
type Method = "check" | "diff" | "create" | "update" | "read" | "delete";

interface ConfiguredProvider extends pulumi.dynamic.ResourceProvider {
  settings?: ProviderSettings;
}

/** A provider whose methods forward to `implementation()[kind]`, passing the configured settings first. */
function stub(kind: Kind): ConfiguredProvider {
  const forward = (method: Method) =>
    function (this: ConfiguredProvider, ...args: unknown[]) {
      return (implementation()[kind][method] as (...a: unknown[]) => Promise<never>)(this.settings, ...args);
    };
  return {
    configure(request) {
      this.settings = implementation().settingsFromConfig(request.config);
      return Promise.resolve();
    },
    check: forward("check"),
    diff: forward("diff"),
    create: forward("create"),
    update: forward("update"),
    read: forward("read"),
    delete: forward("delete"),
  };
}

export const streamCheckpointsProvider = stub("streamCheckpoints");
export const appProvider = stub("apps");
