import fs from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { writePasswordFile, type RunAs } from "./embedded";

describe("embedded PostgreSQL: initdb's password file", () => {
  it("is readable by initdb's user only (0700 directory, 0600 file, handed to that user)", async () => {
    const root = process.getuid?.() === 0;
    // As root, initdb runs as another user: hand the file to one (nobody) and check it got it.
    const ids: RunAs = root ? { uid: 65534, gid: 65534 } : {};
    const { dir, file } = await writePasswordFile("s3cret", ids);
    try {
      const [d, f] = [await fs.stat(dir), await fs.stat(file)];
      expect(d.mode & 0o777).toBe(0o700);
      expect(f.mode & 0o777).toBe(0o600);
      if (root) expect([d.uid, f.uid, f.gid]).toEqual([65534, 65534, 65534]);
      expect(await fs.readFile(file, "utf8")).toBe("s3cret\n");
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
