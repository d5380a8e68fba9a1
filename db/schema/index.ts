export * from "./users";
export * from "./projects";
export * from "./cloud";
export * from "./audit";
export * from "./emulator";
export * from "./clusters";
export * from "./quotas";
export * from "./metrics";
