import { setMaxListeners } from "node:events";
import type { AddressInfo } from "node:net";
import { MAX_SIGNED_BODY_BYTES } from "../contract";
import type { AdminTarget, ClockReading, ClockSetting, ResetOptions } from "./admin";
import { Authenticator, DEFAULT_LOCKOUT, type Credential, type LockoutPolicy } from "./auth";
import { AdjustableClock, monotonicTime } from "./clock";
import { ConsumerRegistry } from "./consumers";
import type { DisErrorKeys } from "./errors";
import { FaultRegistry, type Fault } from "./faults";
import { StatePersistence, loadStateFile } from "./persistence";
import { Recorder } from "./recorder";
import { applySeed, loadSeedFile, loadSeedObject, startSeedConsumers, type LoadedSeed, type SeedDocument } from "./seed";
import { createEmulatorServer, type TlsIdentity } from "./server";
import { DEFAULT_BEHAVIOUR, DEFAULT_LIMITS, EmulatorState, type StateBehaviour, type StateLimits } from "./state";

/** Fixed demo identity: printed at start, not secret, and only ever accepted by the emulator. */
export const DEMO_PROJECT_ID = "0000000000000000000000000000d15e";
export const DEMO_ACCESS_KEY = "DEMOACCESSKEYDISEMU0";
export const DEMO_SECRET_KEY = "demo-secret-key-for-the-dis-emulator-only";

/** Where the documentation is silent, the emulator picks one behaviour; each is switchable (docs/emulator.md). */
export interface EmulatorBehaviour extends StateBehaviour {
  disErrorKeys: DisErrorKeys;
  /** The gateway's lockout after repeated signature failures; `false` turns it off. */
  lockout: LockoutPolicy | false;
}

export interface EmulatorLimits extends StateLimits {
  /** How many recent requests the log keeps. */
  requestLogSize: number;
  maxBodyBytes: number;
}

export interface EmulatorOptions {
  /** Default 127.0.0.1. The admin surface answers loopback clients only, whatever the host. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  projectId?: string;
  /** Permanent AK/SK; both or neither (then the demo keys). */
  accessKey?: string;
  secretKey?: string;
  /** Further AK/SK pairs that also require their `X-Security-Token`. */
  temporaryCredentials?: readonly Required<Credential>[];
  /** Also accept `X-Auth-Token: <token>`. */
  token?: string;
  /** A seed document, or the path of a YAML/JSON seed file. Ignored when `dataFile` already holds state. */
  seed?: SeedDocument | string;
  /** Keep the state in this file: loaded at start, saved (atomically, debounced) after changes. */
  dataFile?: string;
  /** The time source (epoch ms) the emulator clock runs on; monotonic wall time by default. */
  timeSource?: () => number;
  /** Randomness for fault probabilities (tests pass a deterministic one). */
  random?: () => number;
  behaviour?: Partial<EmulatorBehaviour>;
  limits?: Partial<EmulatorLimits>;
  persistDebounceMs?: number;
  /** Receives operational messages (save failures, internal errors). Never secrets. */
  log?: (line: string) => void;
  /** Serve HTTPS with this key and certificate instead of plain HTTP; `url` then starts with https://. */
  tls?: TlsIdentity;
}

export interface EmulatorHandle extends AdminTarget {
  /** `http://<host>:<port>` (`https://` with `tls`), no trailing slash. */
  url: string;
  host: string;
  port: number;
  projectId: string;
  accessKey: string;
  secretKey: string;
  /** The in-memory model: read or change streams, apps and checkpoints directly, without HTTP or signing. */
  state: EmulatorState;
  /** Saves pending state to the data file now (no-op without one). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Starts an emulator and resolves once it is listening. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const { accessKey, secretKey } = credentialsOf(options);
  const projectId = options.projectId ?? DEMO_PROJECT_ID;
  if (projectId === "") throw new Error("projectId must not be empty");
  const behaviour: EmulatorBehaviour = { ...DEFAULT_BEHAVIOUR, disErrorKeys: "both", lockout: DEFAULT_LOCKOUT, ...options.behaviour };
  const limits: EmulatorLimits = {
    ...DEFAULT_LIMITS,
    requestLogSize: 10_000,
    maxBodyBytes: MAX_SIGNED_BODY_BYTES,
    ...options.limits,
  };
  const log = options.log ?? (() => undefined);
  const clock = new AdjustableClock(options.timeSource ?? monotonicTime);
  const state = new EmulatorState(clock, behaviour, limits);
  const seed = loadSeed(options.seed);
  const restored = options.dataFile === undefined ? undefined : loadStateFile(options.dataFile);
  if (restored) state.restore(restored);
  // Subscribed before seeding, so that a new data file receives the seeded state at once.
  const persistence =
    options.dataFile === undefined ? undefined : new StatePersistence(options.dataFile, state, options.persistDebounceMs ?? 200, log);
  if (!restored && seed) applySeed(state, seed, clock.now());
  await persistence?.flush();
  const consumers = new ConsumerRegistry(state, clock, log);
  try {
    if (seed) startSeedConsumers(consumers, seed);
  } catch (error) {
    await persistence?.close();
    throw error;
  }

  const authenticator = new Authenticator({
    credentials: [{ accessKey, secretKey }, ...(options.temporaryCredentials ?? [])],
    ...(options.token === undefined ? {} : { token: options.token }),
    lockout: behaviour.lockout,
  });
  const faults = new FaultRegistry(options.random);
  const recorder = new Recorder(limits.requestLogSize);

  const admin: AdminTarget = {
    requests: (afterSeq) => recorder.requests(afterSeq),
    metrics: () => ({ ...recorder.metrics(), checkpoints: state.checkpointCount() }),
    faults: () => faults.list(),
    addFault: (spec): Fault => faults.add(spec),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    clock: () => readClock(clock),
    setClock: (setting) => {
      if ("offsetMs" in setting) clock.setOffset(setting.offsetMs);
      else clock.setTime(typeof setting.time === "number" ? setting.time : Date.parse(setting.time));
      return readClock(clock);
    },
    addConsumer: (spec) => consumers.add(spec),
    consumers: () => consumers.list(),
    removeConsumer: (id) => consumers.remove(id),
    stopConsumers: () => consumers.stopAll(),
    reset: (resetOptions: ResetOptions = {}) => {
      consumers.stopAll();
      recorder.clear();
      faults.clear();
      authenticator.clearLockouts();
      clock.setOffset(0);
      if (resetOptions.state) {
        state.clear();
        if (seed) {
          applySeed(state, seed, clock.now());
          startSeedConsumers(consumers, seed);
        }
      }
    },
    snapshot: () => state.snapshot(),
  };

  const shutdown = new AbortController();
  // Every delayed request listens for shutdown; there may be any number in flight.
  setMaxListeners(0, shutdown.signal);
  const server = createEmulatorServer(
    { projectId, state, clock, authenticator, faults, recorder, admin, disErrorKeys: behaviour.disErrorKeys, maxBodyBytes: limits.maxBodyBytes, log },
    shutdown.signal,
    options.tls,
  );
  const host = options.host ?? "127.0.0.1";
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    consumers.stopAll();
    await persistence?.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    ...admin,
    url: `${options.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`,
    host,
    port,
    projectId,
    accessKey,
    secretKey,
    state,
    flush: async () => persistence?.flush(),
    close: () =>
      (closing ??= (async () => {
        consumers.stopAll();
        shutdown.abort();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await persistence?.close();
      })()),
  };
}

function credentialsOf(options: EmulatorOptions): { accessKey: string; secretKey: string } {
  if ((options.accessKey === undefined) !== (options.secretKey === undefined)) {
    throw new Error("accessKey and secretKey go together: give both, or neither for the demo keys");
  }
  if (options.accessKey === "" || options.secretKey === "") throw new Error("accessKey and secretKey must not be empty");
  return { accessKey: options.accessKey ?? DEMO_ACCESS_KEY, secretKey: options.secretKey ?? DEMO_SECRET_KEY };
}

function loadSeed(seed: EmulatorOptions["seed"]): LoadedSeed | undefined {
  if (seed === undefined) return undefined;
  return typeof seed === "string" ? loadSeedFile(seed) : loadSeedObject(seed);
}

function readClock(clock: AdjustableClock): ClockReading {
  const now = clock.now();
  return { now, iso: new Date(now).toISOString(), offsetMs: clock.offsetMs };
}
