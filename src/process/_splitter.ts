/**
 * A resumable byte scanner that finds where each record of a CloudTrail file
 * starts and ends, without parsing it.
 *
 * Parsing a whole file with `JSON.parse` needs memory several times its size,
 * and generic streaming JSON parsers build every value byte by byte. This
 * scanner only tracks string/escape state and nesting depth, which is enough to
 * cut a file into record slices that `JSON.parse` then reads natively. Only the
 * partial record at the end of a chunk is kept between chunks, so memory
 * follows the largest record, not the file.
 *
 * Shapes it understands: `{"Records": […]}` (other top-level keys before or
 * after are skipped), `{"Events": […]}` from `aws cloudtrail lookup-events`,
 * a top-level array, a single object, and a sequence of objects (JSON lines or
 * concatenated JSON). Whether a slice is a record, an EventBridge envelope or a
 * digest is decided after parsing, by the caller.
 * @module
 */

/** next() found a value: read it from `buf[start, end)` with its `role`. */
export const T_VALUE = 1;
/** next() needs more bytes: call push() or finish(). */
export const T_NEED = 2;
/** next() reached the end of the content. */
export const T_END = 3;
/** next() met content it cannot read; `error` says why. Nothing follows. */
export const T_ERROR = 4;
/** next() met a JSON line that ends before its value does; scanning resumes on the next line. */
export const T_BROKEN = 5;

/** An element of a `Records` array or of a top-level array. */
export const R_ITEM = 0;
/** An element of a lookup-events `Events` array. */
export const R_LOOKUP = 1;
/** A whole top-level value: a single object or one JSON line. */
export const R_TOP = 2;

const S_TOP = 0;
const S_ARRAY = 1;
const S_KEY = 2;
const S_COLON = 3;
const S_FIELD = 4;
const S_VALUE = 5;
const S_DONE = 6;

const V_NESTED = 0;
const V_SCALAR = 1;
const V_LINE = 2;

const NEED = -1;
const BROKEN = -2;

const RECORDS = [0x52, 0x65, 0x63, 0x6f, 0x72, 0x64, 0x73]; // Records
const EVENTS = [0x45, 0x76, 0x65, 0x6e, 0x74, 0x73]; // Events

const INITIAL_CAPACITY = 128 * 1024;

/**
 * Bytes the value scan must look at; every other byte is skipped with one
 * table load, which measured faster than chains of comparisons.
 */
const STRING_STOP = new Uint8Array(256);
for (const c of [0x22, 0x5c, 0x0a]) STRING_STOP[c] = 1; // " \ newline
const TOKEN_STOP = new Uint8Array(256);
for (const c of [0x22, 0x7b, 0x5b, 0x7d, 0x5d, 0x0a, 0x0d]) TOKEN_STOP[c] = 1; // " { [ } ] newlines

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Renders a byte for an error message: `'x'` when printable, else `0x1f`. */
function showByte(c: number): string {
  return c >= 0x20 && c < 0x7f
    ? `'${String.fromCharCode(c)}'`
    : `0x${c.toString(16).padStart(2, "0")}`;
}

function keyIs(buf: Uint8Array, from: number, to: number, name: number[]): boolean {
  if (to - from !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (buf[from + i] !== name[i]) return false;
  return true;
}

/** Splits decoded bytes into JSON value slices; see the module docs. */
export class JsonSplitter {
  /** Buffered bytes; valid up to `len`. Slices returned by next() point into it. */
  buf: Uint8Array = new Uint8Array(INITIAL_CAPACITY);
  len = 0;
  /** Start, end and role of the value found by the last T_VALUE. */
  start = 0;
  end = 0;
  role = R_ITEM;
  /** Reason for T_ERROR. */
  error = "";
  /** Container shape: "records", "lookup-events", "array", "single", "jsonl", or "" before any content. */
  format = "";
  /** Top-level values started so far. */
  topValues = 0;
  /** The last value found contains a raw line break (pretty-printed JSON). */
  multiline = false;

  #pos = 0;
  /** Absolute offset of buf[0] in the decoded content, for error messages. */
  #base = 0;
  #eof = false;
  #state = S_TOP;

  /** Role of the items of the array being read, and whether that array is the top-level value. */
  #itemRole = R_ITEM;
  #arrayIsTop = false;
  /** Index of a top-level `{` that may still turn out to be a single record (kept in buf). */
  #probeStart = -1;
  /** For a `Records` or `Events` key, the role of its array's items; else -1. */
  #keyWrapper = -1;

  /** The value being scanned. */
  #valStart = 0;
  #valKind = V_NESTED;
  #valRole = R_ITEM;
  #valSkip = false;
  #valAfter = S_TOP;
  #depth = 0;
  #inString = false;
  #escape = false;

  /** Compact JSON lines: a raw newline inside a value means that line is broken. */
  #lineMode = false;
  /** A line break was seen between the tokens of the current top-level object. */
  #topMultiline = false;
  /** A line break was seen inside the value being scanned. */
  #valMultiline = false;
  #firstTopCompact = false;
  #newlineBetween = false;

  /** Appends decoded bytes, dropping those already consumed. */
  push(chunk: Uint8Array): void {
    let keep = this.#pos;
    if (this.#state === S_VALUE && !this.#valSkip && this.#valStart < keep) keep = this.#valStart;
    if (this.#probeStart >= 0 && this.#probeStart < keep) keep = this.#probeStart;
    const pending = this.len - keep;
    const needed = pending + chunk.length;
    if (this.len + chunk.length > this.buf.length) {
      if (needed > this.buf.length) {
        const grown = new Uint8Array(Math.max(needed, this.buf.length * 2));
        grown.set(this.buf.subarray(keep, this.len));
        this.buf = grown;
      } else {
        this.buf.copyWithin(0, keep, this.len);
      }
      this.len = pending;
      this.#pos -= keep;
      this.#valStart -= keep;
      if (this.#probeStart >= 0) this.#probeStart -= keep;
      this.#base += keep;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }

  /** Marks the end of the content. */
  finish(): void {
    this.#eof = true;
  }

  /** Advances to the next value; returns one of the T_ codes. */
  next(): number {
    const buf = this.buf;
    for (;;) {
      const len = this.len;
      switch (this.#state) {
        case S_TOP: {
          let p = this.#pos;
          while (p < len && isWs(buf[p])) {
            if (buf[p] === 0x0a) this.#newlineBetween = true;
            p++;
          }
          this.#pos = p;
          if (p >= len) return this.#eof ? this.#stop(T_END) : T_NEED;
          const c = buf[p];
          if (this.#base + p === 0 && c === 0xef) { // UTF-8 byte order mark
            if (len < 3 && !this.#eof) return T_NEED;
            if (buf[1] === 0xbb && buf[2] === 0xbf) {
              this.#pos = 3;
              continue;
            }
          }
          this.#startTopValue();
          if (c === 0x5b) { // [
            if (this.topValues === 1) this.format = "array";
            this.#itemRole = R_ITEM;
            this.#arrayIsTop = true;
            this.#pos = p + 1;
            this.#state = S_ARRAY;
          } else if (c === 0x7b) { // {
            this.#probeStart = p;
            this.#topMultiline = false;
            this.#pos = p + 1;
            this.#state = S_KEY;
          } else if (this.topValues === 1) {
            return this.#fail(
              /[-0-9"tfn]/.test(String.fromCharCode(c))
                ? `not a JSON object or array: starts with ${showByte(c)}`
                : `not JSON: unexpected byte ${showByte(c)} at offset ${this.#base + p}`,
            );
          } else {
            // A line of JSON lines that is not an object: hand the whole line over.
            this.#beginValue(p, V_LINE, R_TOP, false, S_TOP);
          }
          continue;
        }

        case S_ARRAY: {
          let p = this.#pos;
          for (; p < len; p++) {
            const c = buf[p];
            if (c === 0x2c || c === 0x20 || c === 0x09) continue;
            if (c !== 0x0a && c !== 0x0d) break;
            if (this.#lineMode && c === 0x0a) return this.#broken(p);
            this.#topMultiline = true;
          }
          this.#pos = p;
          if (p >= len) return this.#eof ? this.#truncated() : T_NEED;
          if (buf[p] === 0x5d) { // ]
            this.#pos = p + 1;
            this.#state = this.#arrayIsTop ? S_TOP : S_KEY;
            if (this.#arrayIsTop) this.#endTopValue(false);
            continue;
          }
          this.#beginValue(p, this.#kindAt(buf[p]), this.#itemRole, false, S_ARRAY);
          continue;
        }

        case S_KEY: {
          let p = this.#pos;
          for (; p < len; p++) {
            const c = buf[p];
            if (c === 0x2c || c === 0x20 || c === 0x09) continue;
            if (c !== 0x0a && c !== 0x0d) break;
            if (this.#lineMode && c === 0x0a) return this.#broken(p);
            this.#topMultiline = true;
          }
          this.#pos = p;
          if (p >= len) return this.#eof ? this.#truncated() : T_NEED;
          const c = buf[p];
          if (c === 0x7d) { // }
            this.#pos = p + 1;
            this.#state = S_TOP;
            const start = this.#probeStart;
            if (start < 0) { // the end of a Records/Events wrapper
              this.#endTopValue(false);
              continue;
            }
            this.#probeStart = -1;
            if (this.topValues === 1) this.format = "single";
            this.#endTopValue(!this.#topMultiline);
            return this.#emit(start, p + 1, R_TOP, this.#topMultiline);
          }
          if (c !== 0x22) return this.#unexpected(p);
          // Keys are short: scan from the quote each time rather than keep state.
          let q = p + 1;
          for (; q < len; q++) {
            const k = buf[q];
            if (k === 0x22) break;
            if (k === 0x5c) q++;
            else if (k === 0x0a && this.#lineMode) return this.#broken(q);
          }
          if (q >= len) return this.#eof ? this.#truncated() : T_NEED;
          this.#keyWrapper = keyIs(buf, p + 1, q, RECORDS)
            ? R_ITEM
            : keyIs(buf, p + 1, q, EVENTS)
            ? R_LOOKUP
            : -1;
          this.#pos = q + 1;
          this.#state = S_COLON;
          continue;
        }

        case S_COLON:
        case S_FIELD: {
          let p = this.#pos;
          for (; p < len; p++) {
            const c = buf[p];
            if (c === 0x20 || c === 0x09) continue;
            if (c !== 0x0a && c !== 0x0d) break;
            if (this.#lineMode && c === 0x0a) return this.#broken(p);
            this.#topMultiline = true;
          }
          this.#pos = p;
          if (p >= len) return this.#eof ? this.#truncated() : T_NEED;
          const c = buf[p];
          if (this.#state === S_COLON) {
            if (c !== 0x3a) return this.#unexpected(p);
            this.#pos = p + 1;
            this.#state = S_FIELD;
            continue;
          }
          if (c === 0x5b && this.#keyWrapper >= 0) {
            // {"Records": [ or {"Events": [ : a wrapper, not a record.
            if (this.#probeStart >= 0 && this.topValues === 1) {
              this.format = this.#keyWrapper === R_LOOKUP ? "lookup-events" : "records";
            }
            this.#probeStart = -1;
            this.#itemRole = this.#keyWrapper;
            this.#arrayIsTop = false;
            this.#pos = p + 1;
            this.#state = S_ARRAY;
            continue;
          }
          this.#beginValue(p, this.#kindAt(c), R_ITEM, true, S_KEY);
          continue;
        }

        case S_VALUE: {
          const end = this.#scanValue();
          if (end === NEED) return this.#eof ? this.#truncated() : T_NEED;
          if (end === BROKEN) return this.#broken(this.#pos);
          this.#pos = end;
          this.#state = this.#valAfter;
          if (this.#valKind === V_LINE) this.#endTopValue(false);
          if (this.#valSkip) {
            if (this.#valMultiline) this.#topMultiline = true;
            continue;
          }
          return this.#emit(this.#valStart, end, this.#valRole, this.#valMultiline);
        }

        default:
          return this.error ? T_ERROR : T_END;
      }
    }
  }

  #kindAt(c: number): number {
    return c === 0x7b || c === 0x5b || c === 0x22 ? V_NESTED : V_SCALAR;
  }

  #beginValue(p: number, kind: number, role: number, skip: boolean, after: number): void {
    this.#valStart = p;
    this.#valKind = kind;
    this.#valRole = role;
    this.#valSkip = skip;
    this.#valAfter = after;
    this.#escape = false;
    this.#valMultiline = false;
    if (kind === V_NESTED) {
      const quote = this.buf[p] === 0x22;
      this.#inString = quote;
      this.#depth = quote ? 0 : 1;
      this.#pos = p + 1;
    } else {
      this.#pos = p;
    }
    this.#state = S_VALUE;
  }

  /** Continues the value scan; returns its end, NEED or BROKEN. */
  #scanValue(): number {
    const buf = this.buf;
    const len = this.len;
    let i = this.#pos;
    if (this.#valKind === V_SCALAR) {
      while (i < len) {
        const c = buf[i];
        if (isWs(c) || c === 0x2c || c === 0x5d || c === 0x7d) return i;
        i++;
      }
      this.#pos = i;
      return this.#eof ? len : NEED;
    }
    if (this.#valKind === V_LINE) {
      const nl = buf.subarray(i, len).indexOf(0x0a);
      if (nl >= 0) return i + nl;
      this.#pos = len;
      return this.#eof ? len : NEED;
    }

    const nlBreaks = this.#lineMode;
    let depth = this.#depth;
    let inString = this.#inString;
    if (this.#escape) {
      if (i >= len) return NEED;
      this.#escape = false;
      i++;
    }
    while (i < len) {
      if (inString) {
        // String bodies are most of a record: keep this loop tight.
        for (;;) {
          if (i >= len) {
            this.#pos = i;
            this.#depth = depth;
            this.#inString = true;
            return NEED;
          }
          const c = buf[i++];
          if (STRING_STOP[c] === 0) continue;
          if (c === 0x22) break;
          if (c === 0x5c) {
            if (i >= len) {
              this.#pos = i;
              this.#depth = depth;
              this.#inString = true;
              this.#escape = true;
              return NEED;
            }
            i++;
          } else if (c === 0x0a && nlBreaks) {
            this.#pos = i - 1;
            return BROKEN;
          }
        }
        inString = false;
        if (depth === 0) return i;
        continue;
      }
      const c = buf[i++];
      if (TOKEN_STOP[c] === 0) continue;
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--depth === 0) return i;
      } else if (c === 0x0a || c === 0x0d) {
        if (nlBreaks && c === 0x0a) {
          this.#pos = i - 1;
          return BROKEN;
        }
        this.#valMultiline = true;
      }
    }
    this.#pos = i;
    this.#depth = depth;
    this.#inString = inString;
    return NEED;
  }

  #startTopValue(): void {
    this.topValues++;
    if (this.topValues === 2) {
      if (this.format === "single") this.format = "jsonl";
      this.#lineMode = this.#firstTopCompact && this.#newlineBetween;
    }
  }

  /**
   * Notes the end of a top-level value. A first value that is one object on
   * one line, followed by a newline, makes the input JSON lines (see #lineMode).
   */
  #endTopValue(oneLineObject: boolean): void {
    if (this.topValues === 1) {
      this.#firstTopCompact = oneLineObject;
      this.#newlineBetween = false;
    }
  }

  #emit(start: number, end: number, role: number, multiline: boolean): number {
    this.start = start;
    this.end = end;
    this.role = role;
    this.multiline = multiline;
    return T_VALUE;
  }

  /** A JSON line ended inside a value: report it and carry on after the newline. */
  #broken(nl: number): number {
    this.#pos = nl + 1;
    this.#probeStart = -1;
    this.#state = S_TOP;
    return T_BROKEN;
  }

  #truncated(): number {
    return this.#fail(
      `JSON is truncated: unexpected end of data at offset ${this.#base + this.len}`,
    );
  }

  #unexpected(p: number): number {
    return this.#fail(
      `invalid JSON: unexpected byte ${showByte(this.buf[p])} at offset ${this.#base + p}`,
    );
  }

  #fail(reason: string): number {
    this.error = reason;
    return this.#stop(T_ERROR);
  }

  #stop(code: number): number {
    this.#state = S_DONE;
    return code;
  }
}
