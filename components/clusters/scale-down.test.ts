import { describe, expect, it } from "vitest";
import { scaleDownImpact } from "./scale-down";

const fig = (
  ready: number,
  cpuReq: number,
  cpuAlloc: number,
  memReq: number,
  memAlloc: number,
  pods?: number,
) => ({
  target: ready,
  ready,
  cpuRequested: cpuReq,
  cpuAllocatable: cpuAlloc,
  memRequested: memReq,
  memAllocatable: memAlloc,
  cpuUsed: null,
  memUsed: null,
  ...(pods === undefined ? {} : { pods }),
});

describe("scale-down impact", () => {
  it("counts the removed nodes' share of pods and requests, and the room left elsewhere", () => {
    const figures = { web: fig(3, 3000, 6000, 6000, 12000, 60), batch: fig(2, 1000, 4000, 1000, 8000, 4) };
    expect(scaleDownImpact({ group: "web", from: 3, to: 1, figures })).toEqual({
      removed: 2,
      pods: 40,
      cpuMilli: 2000,
      memoryMi: 4000,
      // web keeps 1/3 of its free room (1000 m, 2000 Mi); batch has 3000 m and 7000 Mi free.
      freeCpuMilli: 4000,
      freeMemoryMi: 9000,
      fits: true,
    });
  });
  it("says when the pods do not fit: to 0 with little room elsewhere", () => {
    const figures = { web: fig(3, 5400, 6000, 6000, 12000, 60), batch: fig(1, 1800, 2000, 500, 4000, 2) };
    const r = scaleDownImpact({ group: "web", from: 3, to: 0, figures });
    expect(r).toMatchObject({ removed: 3, pods: 60, cpuMilli: 5400, freeCpuMilli: 200, fits: false });
  });
  it("does not guess without figures", () => {
    expect(scaleDownImpact({ group: "web", from: 2, to: 1, figures: undefined })).toMatchObject({
      removed: 1,
      pods: null,
      fits: null,
    });
    expect(
      scaleDownImpact({ group: "web", from: 2, to: 1, figures: { web: fig(2, 0, 4000, 0, 8000) } }).pods,
    ).toBeNull();
  });
});
