import { createDisClient, type DisClient } from "../dis";
import { CONFIG_NAMESPACE, SettingsError, type ProviderSettings } from "./settings";

/** A DIS client for these settings: endpoint or region, project, credentials (else the environment's). */
export function clientFromSettings(settings: ProviderSettings): DisClient {
  if (settings.projectId === undefined) {
    throw new SettingsError(
      `${CONFIG_NAMESPACE}:projectId is not set: run \`pulumi config set ${CONFIG_NAMESPACE}:projectId <project id>\` for this stack`,
    );
  }
  return createDisClient({
    region: settings.region,
    endpoint: settings.endpoint,
    projectId: settings.projectId,
    allowInsecureHttp: settings.allowInsecureHttp,
    credentials: {
      accessKey: settings.accessKey,
      secretKey: settings.secretKey,
      securityToken: settings.securityToken,
      authToken: settings.authToken,
    },
    connections: settings.concurrency,
    ...(settings.requestTimeoutMs !== undefined ? { requestTimeoutMs: settings.requestTimeoutMs } : {}),
  });
}
