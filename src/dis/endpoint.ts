/** Where DIS calls go: a region's public endpoint or an explicit override such as the local emulator. */
import { ProjectError } from "../errors";
import { isIP } from "node:net";

export interface EndpointOptions {
  /** e.g. `cn-north-4` → `https://dis.cn-north-4.myhuaweicloud.com`. */
  region?: string | undefined;
  /** An origin such as `http://127.0.0.1:4100`; takes precedence over `region`. */
  endpoint?: string | undefined;
  /** Allow plain `http://` to hosts other than loopback (credentials and checkpoints then travel unencrypted). */
  allowInsecureHttp?: boolean | undefined;
}

export interface DisEndpoint {
  /** `scheme://host[:port]`, without a trailing slash. */
  origin: string;
}

export type EndpointErrorCode = "endpoint-missing" | "endpoint-invalid" | "region-invalid" | "endpoint-insecure";

export class DisEndpointError extends ProjectError {
  override readonly name = "DisEndpointError";
  constructor(
    readonly code: EndpointErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Huawei region ids: `cn-north-4`, `ap-southeast-1`, `la-south-2`, `cn-southwest-2`, `eu-west-101`. */
const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-[0-9]+$/;

export function resolveEndpoint(options: EndpointOptions): DisEndpoint {
  if (options.endpoint !== undefined && options.endpoint.trim() !== "") return explicitEndpoint(options.endpoint.trim(), options);
  if (options.region === undefined || options.region.trim() === "") {
    throw new DisEndpointError("endpoint-missing", "no DIS endpoint: set a region (e.g. cn-north-4) or an explicit endpoint URL");
  }
  const region = options.region.trim();
  if (!REGION_PATTERN.test(region)) {
    throw new DisEndpointError(
      "region-invalid",
      `invalid region ${JSON.stringify(region)}: expected a Huawei Cloud region id such as cn-north-4 or ap-southeast-1`,
    );
  }
  return { origin: `https://dis.${region}.myhuaweicloud.com` };
}

function explicitEndpoint(text: string, options: EndpointOptions): DisEndpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(text, "it is not an absolute URL such as https://dis.example.com or http://127.0.0.1:4100");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw invalid(text, `the scheme must be https or http, not ${url.protocol.slice(0, -1)}`);
  if (url.username !== "" || url.password !== "") throw invalid(text, "it must not contain credentials");
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "") throw invalid(text, "it must be an origin, without a path, query or fragment");
  if (url.protocol === "http:" && !isLoopback(url.hostname) && options.allowInsecureHttp !== true) {
    throw new DisEndpointError(
      "endpoint-insecure",
      `refusing plain http to ${url.host}: credentials and checkpoints would travel unencrypted. ` +
        "Use https, or set allowInsecureHttp: true to accept this deliberately (plain http is always allowed to loopback)",
    );
  }
  return { origin: url.origin };
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  if (host.toLowerCase() === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return isIP(host) === 6 && host === "::1";
}

function invalid(text: string, why: string): DisEndpointError {
  return new DisEndpointError("endpoint-invalid", `invalid DIS endpoint ${JSON.stringify(text)}: ${why}`);
}
