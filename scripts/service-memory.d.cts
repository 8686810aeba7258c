export declare function serviceMemoryEnv(service: string, env?: Record<string, string | undefined>): { NODE_OPTIONS: string; MALLOC_ARENA_MAX: string };
