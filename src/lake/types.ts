/**
 * The lake writer interface: one writer per source object, committed only
 * after every event of the object has been written.
 * @module
 */
import type { NormalizedEvent, SourceObjectRef } from "../process/types.ts";
import type { EncodedLines } from "./lines.ts";

/** Writes the events of one source object. */
export interface LakeObjectWriter {
  /** Appends a batch of events. */
  write(events: readonly NormalizedEvent[]): Promise<void>;
  /**
   * Appends lines already grouped and encoded (the `lake` of a decoded batch);
   * the same as write() of the events they came from. Takes
   * ownership of the bytes (they may be transferred to another thread).
   */
  writeEncoded(parts: readonly EncodedLines[]): Promise<void>;
  /** Makes the object's files visible (atomically) and returns how many files it wrote. */
  commit(): Promise<number>;
  /** Discards everything written for the object. */
  abort(): Promise<void>;
}

/** A lake destination. */
export interface LakeWriter {
  /** Human-readable location, e.g. `./iota-lake` or `none`. */
  readonly location: string;
  begin(obj: SourceObjectRef): LakeObjectWriter;
  /** Releases the writer's resources (its worker thread); call once all objects are done. */
  close(): Promise<void>;
}
