/**
 * Credentials for DIS calls, resolved at call time from explicit options (the provider passes stack config)
 * or the environment. Secret values live in private fields: printing, inspecting, spreading or serialising a
 * credentials object never shows them.
 */
import { ProjectError } from "../errors";
import { inspect } from "node:util";

/**
 * Environment variables read by {@link resolveCredentials}, in order of precedence:
 * - `HUAWEICLOUD_SDK_AK` + `HUAWEICLOUD_SDK_SK`, with `HUAWEICLOUD_SDK_SECURITY_TOKEN` for temporary credentials;
 * - `CLOUD_SDK_AK` + `CLOUD_SDK_SK` (the older names; `HUAWEICLOUD_SDK_SECURITY_TOKEN` applies to them too);
 * - `HUAWEICLOUD_SDK_AUTH_TOKEN`: an IAM project-scoped token, sent as `X-Auth-Token` instead of signing.
 * Empty values count as unset.
 */
export const CREDENTIAL_ENV = {
  accessKey: "HUAWEICLOUD_SDK_AK",
  secretKey: "HUAWEICLOUD_SDK_SK",
  securityToken: "HUAWEICLOUD_SDK_SECURITY_TOKEN",
  legacyAccessKey: "CLOUD_SDK_AK",
  legacySecretKey: "CLOUD_SDK_SK",
  authToken: "HUAWEICLOUD_SDK_AUTH_TOKEN",
} as const;

/** What a caller may pass explicitly, e.g. from stack configuration. */
export interface CredentialOptions {
  accessKey?: string | undefined;
  secretKey?: string | undefined;
  securityToken?: string | undefined;
  authToken?: string | undefined;
}

export type CredentialErrorCode = "credentials-missing" | "credentials-incomplete";

/** Missing or half-given credentials. The message names what to set, never a value. */
export class DisCredentialsError extends ProjectError {
  override readonly name = "DisCredentialsError";
  constructor(
    readonly code: CredentialErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const REDACTED = "[redacted]";

/** Permanent or temporary AK/SK: requests are signed with SDK-HMAC-SHA256. */
export class AccessKeyCredentials {
  readonly kind = "aksk";
  readonly #secretKey: string;
  readonly #securityToken: string | undefined;

  constructor(
    readonly accessKey: string,
    secretKey: string,
    securityToken: string | undefined,
    /** Where they came from, e.g. `environment (HUAWEICLOUD_SDK_AK)`: safe to show. */
    readonly source: string,
  ) {
    this.#secretKey = secretKey;
    this.#securityToken = securityToken;
  }

  get secretKey(): string {
    return this.#secretKey;
  }

  get securityToken(): string | undefined {
    return this.#securityToken;
  }

  /** Values that must never appear in output, for scrubbing server messages. */
  secrets(): string[] {
    return this.#securityToken === undefined ? [this.#secretKey] : [this.#secretKey, this.#securityToken];
  }

  toString(): string {
    const temporary = this.#securityToken === undefined ? "" : ", temporary";
    return `AccessKeyCredentials(${this.accessKey}, secret key ${REDACTED}${temporary}, from ${this.source})`;
  }

  toJSON(): object {
    return { kind: this.kind, accessKey: this.accessKey, secretKey: REDACTED, source: this.source };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** An IAM token sent as `X-Auth-Token`. */
export class TokenCredentials {
  readonly kind = "token";
  readonly #token: string;

  constructor(
    token: string,
    readonly source: string,
  ) {
    this.#token = token;
  }

  get token(): string {
    return this.#token;
  }

  secrets(): string[] {
    return [this.#token];
  }

  toString(): string {
    return `TokenCredentials(token ${REDACTED}, from ${this.source})`;
  }

  toJSON(): object {
    return { kind: this.kind, token: REDACTED, source: this.source };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

export type DisCredentials = AccessKeyCredentials | TokenCredentials;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The first complete source wins: explicit AK/SK, explicit token, then the environment variables listed in
 * {@link CREDENTIAL_ENV}. Half a pair is an error rather than a fall-through, so a typo cannot silently
 * select other credentials.
 */
export function resolveCredentials(explicit: CredentialOptions = {}, env: Env = process.env): DisCredentials {
  const given = (value: string | undefined) => (value === undefined || value.trim() === "" ? undefined : value.trim());

  const fromOptions = accessKeyPair(
    { accessKey: given(explicit.accessKey), secretKey: given(explicit.secretKey) },
    { accessKey: "accessKey", secretKey: "secretKey", where: "the options" },
    given(explicit.securityToken),
  );
  if (fromOptions) return fromOptions;
  if (given(explicit.securityToken) !== undefined) {
    throw incomplete("securityToken is set in the options but accessKey and secretKey are not: set both with it");
  }
  const explicitToken = given(explicit.authToken);
  if (explicitToken !== undefined) return new TokenCredentials(explicitToken, "options (authToken)");

  const envToken = given(env[CREDENTIAL_ENV.securityToken]);
  for (const [accessKey, secretKey] of [
    [CREDENTIAL_ENV.accessKey, CREDENTIAL_ENV.secretKey],
    [CREDENTIAL_ENV.legacyAccessKey, CREDENTIAL_ENV.legacySecretKey],
  ] as const) {
    const fromEnv = accessKeyPair(
      { accessKey: given(env[accessKey]), secretKey: given(env[secretKey]) },
      { accessKey, secretKey, where: "the environment" },
      envToken,
    );
    if (fromEnv) return fromEnv;
  }
  if (envToken !== undefined) {
    throw incomplete(
      `${CREDENTIAL_ENV.securityToken} is set but ${CREDENTIAL_ENV.accessKey} and ${CREDENTIAL_ENV.secretKey} are not: ` +
        "temporary credentials need all three",
    );
  }
  const authToken = given(env[CREDENTIAL_ENV.authToken]);
  if (authToken !== undefined) return new TokenCredentials(authToken, `environment (${CREDENTIAL_ENV.authToken})`);

  throw new DisCredentialsError(
    "credentials-missing",
    `no DIS credentials found: set ${CREDENTIAL_ENV.accessKey} and ${CREDENTIAL_ENV.secretKey} ` +
      `(plus ${CREDENTIAL_ENV.securityToken} for temporary credentials), or ${CREDENTIAL_ENV.authToken} for an IAM token, ` +
      "or configure accessKey and secretKey explicitly",
  );
}

function accessKeyPair(
  values: { accessKey: string | undefined; secretKey: string | undefined },
  names: { accessKey: string; secretKey: string; where: string },
  securityToken: string | undefined,
): AccessKeyCredentials | undefined {
  if (values.accessKey !== undefined && values.secretKey !== undefined) {
    return new AccessKeyCredentials(values.accessKey, values.secretKey, securityToken, `${names.where} (${names.accessKey})`);
  }
  if (values.accessKey !== undefined) throw incomplete(`${names.accessKey} is set but ${names.secretKey} is missing in ${names.where}`);
  if (values.secretKey !== undefined) throw incomplete(`${names.secretKey} is set but ${names.accessKey} is missing in ${names.where}`);
  return undefined;
}

function incomplete(message: string): DisCredentialsError {
  return new DisCredentialsError("credentials-incomplete", message);
}
