export { fallbackPassphraseFor, findProjectDir, PROJECT_ROOT, ProjectNotFoundError } from "./paths";
export { pulumiEnvironment } from "./environment";
export { SetupError } from "./go-tool";
export { PULUMI_VERSION, requirePulumiCli } from "./pulumi-cli";
export { findTool, requireTool, type ToolName } from "./tools";
