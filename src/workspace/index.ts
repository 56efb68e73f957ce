export {
  fallbackPassphraseFor,
  findProjectDir,
  localPulumiPaths,
  LOCAL_STACK_PASSPHRASE,
  PROJECT_ROOT,
  ProjectNotFoundError,
  type LocalPulumiPaths,
} from "./paths";
export { pulumiEnvironment, type PulumiEnvironmentOptions } from "./environment";
export { SetupError, type SetupOptions } from "./go-tool";
export {
  PULUMI_VERSION,
  ensurePulumiCli,
  findPulumiCli,
  requirePulumiCli,
  isAtLeast,
  parseVersion,
  type PulumiCli,
} from "./pulumi-cli";
export { findTool, requireTool, type ToolName } from "./tools";
