import { describe, expect, it } from "vitest";
import type { AuditEntryView } from "@/server/contracts/audit";
import { auditCsv, csvCell } from "./csv";

describe("audit CSV", () => {
  it("quotes cells with quotes, commas and line breaks, doubling the quotes", () => {
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell("line one\nline two")).toBe('"line one\nline two"');
    expect(csvCell("cr\r")).toBe('"cr\r"');
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
  });

  it("neutralizes what a spreadsheet would run as a formula", () => {
    for (const evil of ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"])
      expect(csvCell(evil).replace(/^"/, "")).toMatch(/^'/);
    expect(csvCell('=1,"2"')).toBe(`"'=1,""2"""`);
    expect(csvCell("a=b")).toBe("a=b");
  });

  it("writes a header and one CRLF-ended line per row, the failure's message in its own column", () => {
    const rows: AuditEntryView[] = [
      {
        id: 2,
        at: new Date("2026-12-07T10:00:00Z"),
        actorEmail: "=cmd@example.com",
        action: "nodeGroup.update",
        targetType: "cluster",
        targetLabel: "shop, eu",
        outcome: "failure",
        errorCode: "VALIDATION",
        requestId: "req-1",
        clientIp: "127.0.0.1",
        details: { message: "Some fields need attention: scaling.size: At most 100", name: "web" },
      },
      {
        id: 1,
        at: new Date("2026-12-07T09:00:00Z"),
        actorEmail: null,
        action: "project.create",
        targetType: "project",
        targetLabel: "Team",
        outcome: "success",
        errorCode: null,
        requestId: null,
        clientIp: null,
        details: null,
      },
    ];
    const lines = auditCsv(rows).split("\r\n");
    expect(lines).toEqual([
      "time,actor,client_ip,request_id,action,outcome,error_code,message,target_type,target,details",
      `2026-12-07T10:00:00.000Z,'=cmd@example.com,127.0.0.1,req-1,nodeGroup.update,failure,VALIDATION,Some fields need attention: scaling.size: At most 100,cluster,"shop, eu","{""name"":""web""}"`,
      "2026-12-07T09:00:00.000Z,system,,,project.create,success,,,project,Team,",
      "",
    ]);
  });
});
