export declare const SUPPORTED_MAJORS: number[];

export interface NodeSwitchPlan {
  spec: string;
  major: number;
  dir: string;
  binary: string;
}

export declare function planNodeSwitch(options: { requested: string | undefined; running: string; root: string }): NodeSwitchPlan | undefined;

export declare function handOverToRequestedNode(options: {
  root: string;
  script: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}): Promise<number | undefined>;
