/**
 * The low-level matcher inside re2-wasm (pinned in package.json). Its public `RE2` class leaks
 * WASM memory on every pattern that fails to compile, and its heap is fixed at 16 MiB, so enough
 * bad patterns would abort the process; this class lets the caller free each compiled pattern.
 */
declare module 're2-wasm/build/wasm/re2' {
  export class WrappedRE2 {
    constructor(pattern: string, ignoreCase: boolean, multiline: boolean, dotAll: boolean);
    ok(): boolean;
    error(): string;
    /** `index` is -1 when nothing matched. */
    match(input: string, start: number, anchored: boolean): { match: string; index: number };
    delete(): void;
  }
}
