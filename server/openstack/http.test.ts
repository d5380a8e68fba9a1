import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { BadRequest, faultMessage, ResponseTooLarge, Unavailable } from "./errors";
import { HttpClient } from "./http";

let server: http.Server | null = null;
let client: HttpClient | null = null;
afterEach(async () => {
  client?.close();
  client = null;
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = null;
});

/** A loopback server answering every request with `handler`. */
async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("HttpClient response cap", () => {
  it("refuses a declared Content-Length over the cap without reading the body", async () => {
    let written = 0;
    const url = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(64 * 1024 * 1024) });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("error", () => undefined);
      pump();
    });
    client = new HttpClient({ maxResponseBytes: 1024 * 1024, maxAttempts: 3 });
    const err = await client
      .request({ service: "compute", method: "GET", url: `${url}/big` })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ResponseTooLarge);
    expect((err as Error).message).toMatch(/GET \/big: the response is larger than 1048576 bytes/);
    // The client hung up: the server could not push the whole 64 MiB.
    await new Promise((r) => setTimeout(r, 50));
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it("stops reading a chunked body once it passes the cap, and does not retry", async () => {
    let requests = 0;
    const url = await serve((_req, res) => {
      requests++;
      res.writeHead(200, { "Content-Type": "application/json" }); // chunked: no length
      res.on("error", () => undefined);
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      let n = 0;
      const pump = () => {
        while (n++ < 64) if (!res.write(chunk)) return void res.once("drain", pump);
        res.end();
      };
      pump();
    });
    client = new HttpClient({ maxResponseBytes: 1024 * 1024, maxAttempts: 3 });
    await expect(
      client.request({ service: "network", method: "GET", url: `${url}/v2.0/ports` }),
    ).rejects.toBeInstanceOf(ResponseTooLarge);
    expect(requests).toBe(1);
  });

  it("reads a body under the cap as before", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ ok: true }));
    });
    client = new HttpClient({ maxResponseBytes: 1024 });
    expect((await client.request({ service: "image", method: "GET", url: `${url}/v2/images` })).body).toEqual(
      {
        ok: true,
      },
    );
  });
});

describe("cloud error messages", () => {
  it("surfaces the service's parsed message, never a raw HTML page", async () => {
    const page = `<html><head><title>502 Bad Gateway</title><script>var secret = "x";</script></head><body><h1>Bad Gateway</h1><pre>upstream: 10.0.0.7:9696 token=abc</pre></body></html>`;
    const url = await serve((req, res) => {
      if (req.url === "/html") {
        res.writeHead(400, { "Content-Type": "text/html" });
        return void res.end(page);
      }
      res.writeHead(400, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({
          NeutronError: {
            type: "HTTPBadRequest",
            message: "Unrecognized\u0000 attribute(s)\n\n'tags'",
            detail: "",
          },
        }),
      );
    });
    client = new HttpClient({ maxAttempts: 1 });
    const html = await client
      .request({ service: "network", method: "GET", url: `${url}/html` })
      .catch((e) => e);
    expect(html).toBeInstanceOf(BadRequest);
    expect((html as Error).message).toBe("502 Bad Gateway");
    const json = await client
      .request({ service: "network", method: "GET", url: `${url}/json` })
      .catch((e) => e);
    expect((json as Error).message).toBe("Unrecognized attribute(s) 'tags'");
  });

  it("cleans and truncates messages, and never echoes a body it cannot read", () => {
    expect(faultMessage({ computeFault: { code: 500, message: "x".repeat(5000) } }).message).toHaveLength(
      500,
    );
    expect(faultMessage({ unexpected: ["secret-token"] }).message).toBe("no error message");
    expect(faultMessage("<!DOCTYPE html><p>password=hunter2</p>").message).toBe(
      "no error message (an HTML page)",
    );
    expect(faultMessage("Service Unavailable\nstack trace: secret").message).toBe("Service Unavailable");
    expect(faultMessage(undefined).message).toBe("no error message");
  });

  it("still retries a 503 with an HTML page and reports its title", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(503, { "Content-Type": "text/html" });
      res.end("<html><title>Service Unavailable</title><body>node-7 is down</body></html>");
    });
    client = new HttpClient({ maxAttempts: 2, sleep: async () => undefined });
    const err = await client.request({ service: "compute", method: "GET", url: `${url}/x` }).catch((e) => e);
    expect(err).toBeInstanceOf(Unavailable);
    expect((err as Error).message).toBe("Service Unavailable");
  });
});
