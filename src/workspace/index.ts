export { PROJECT_ROOT, localPulumiPaths, type LocalPulumiPaths } from "./paths";
export { pulumiEnvironment, type PulumiEnvironmentOptions } from "./environment";
export {
  PULUMI_VERSION,
  ensurePulumiCli,
  findPulumiCli,
  requirePulumiCli,
  isAtLeast,
  parseVersion,
  SetupError,
  type PulumiCli,
  type SetupOptions,
} from "./pulumi-cli";
