export { startEmulator, type EmulatorHandle, type EmulatorOptions } from "./emulator";
export type { ConsumerSpec, ConsumerView } from "./consumers";
export type { FaultSpec } from "./faults";
export { PersistenceError } from "./persistence";
export type { RequestLogEntry } from "./recorder";
export { SeedError, type SeedDocument } from "./seed";
