import { describe, expect, it } from "vitest";
import { cpuMilli, memoryMi, quantity } from "./quantity";

describe("Kubernetes quantities as the API serves them", () => {
  it.each<[string | number | null | undefined, number]>([
    ["100m", 100],
    ["2", 2000],
    ["0.5", 500],
    ["1500000n", 2],
    ["250000u", 250],
    ["1k", 1_000_000],
    [3, 3000],
    [undefined, 0],
    [null, 0],
    ["", 0],
    ["lots", 0],
    ["12x", 0],
  ])("CPU %j → %i millicores", (q, milli) => {
    expect(cpuMilli(q)).toBe(milli);
  });

  it.each<[string | number | null | undefined, number]>([
    ["128Mi", 128],
    ["4096Ki", 4],
    ["8039124Ki", 7851],
    ["2Gi", 2048],
    ["1G", 954],
    ["134217728", 128],
    ["1e9", 954],
    ["1.5Gi", 1536],
    [undefined, 0],
  ])("memory %j → %i MiB", (q, mi) => {
    expect(memoryMi(q)).toBe(mi);
  });

  it("keeps exact byte counts", () => {
    expect(quantity("1Ti")).toBe(2 ** 40);
    expect(quantity("1500M")).toBe(1.5e9);
  });
});
