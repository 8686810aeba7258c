export declare function failureReason(logText: string): string | undefined;
