import { describe, expect, it } from "vitest";
import { storageClassName, wantedStorageClasses } from "./storage-classes";

describe("storage classes", () => {
  it("names each volume type as a DNS-1123 name, hashing the ones it had to change so none collide", () => {
    expect(storageClassName("ceph-ssd")).toBe("cinder-ceph-ssd");
    const a = storageClassName("__DEFAULT__");
    const b = storageClassName("--default--");
    expect(a).toMatch(/^cinder-default-[0-9a-f]{6}$/);
    expect(b).toMatch(/^cinder-default-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
    const long = storageClassName(`High IOPS ${"x".repeat(80)}`);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it("marks the cloud's default type default, and only that one", () => {
    const w = wantedStorageClasses(
      [
        { id: "1", name: "ceph-ssd" },
        { id: "2", name: "ceph-hdd" },
      ],
      "2",
    );
    expect(w).toEqual([
      { name: "cinder-ceph-hdd", volumeType: "ceph-hdd", isDefault: true },
      { name: "cinder-ceph-ssd", volumeType: "ceph-ssd", isDefault: false },
    ]);
    expect(wantedStorageClasses([{ id: "1", name: "x" }], null)[0]?.isDefault).toBe(false);
  });
});
