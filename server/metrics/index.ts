import "server-only";

// The sampler is built and started by the wiring point (server/app/create-app.ts).
export type { Sampler, SampleSource } from "./sampler";
