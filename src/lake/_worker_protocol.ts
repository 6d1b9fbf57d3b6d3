/**
 * Messages between the lake writer and its worker thread.
 * @module
 */

/** A request before it is numbered; `obj` numbers one source object's files. */
export type LakeWorkerCommand =
  | {
    op: "write";
    obj: number;
    dir: string;
    name: string;
    level: number;
    data: Uint8Array<ArrayBuffer>;
  }
  | { op: "commit"; obj: number }
  | { op: "abort"; obj: number };

/** A request to the lake worker. */
export type LakeWorkerRequest = { id: number } & LakeWorkerCommand;

/** The worker's answer to one request. */
export type LakeWorkerReply =
  | { id: number; ok: true; files?: number }
  | { id: number; ok: false; error: string };
