import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/**
 * The server's layers (README "Architecture"): what each folder may import,
 * besides itself. Paths are resolved (aliases and relative imports alike);
 * `node_modules` means any package. Tests and test fixtures are exempt.
 */
const LIBRARIES = "node_modules";
const SERVER_LAYERS = {
  "server/contracts": ["node_modules/zod"],
  "server/domain": ["server/contracts", LIBRARIES],
  "server/services": [
    "db",
    "server/contracts",
    "server/domain",
    "server/security",
    "server/env.ts",
    "server/log.ts",
    // Certificates and kubeconfigs (no Kubernetes API calls), metrics queries, cloud settings and the
    // emulator's admin client: never the cloud adapter's clients, the Kubernetes client or the reconciler.
    "server/kube/pki.ts",
    "server/kube/kubeconfig.ts",
    "server/kube/store.ts",
    "server/metrics/store.ts",
    "server/metrics/panels.ts",
    "server/openstack/config.ts",
    "server/openstack/emulator-admin.ts",
    LIBRARIES,
  ],
  "server/api": ["server/services", "server/contracts", "server/log.ts", LIBRARIES],
  "server/reconciler": [
    "server/openstack",
    "server/kube",
    "db",
    "server/domain",
    "server/contracts",
    "server/metrics",
    "server/security",
    "server/log.ts",
    LIBRARIES,
  ],
  "server/openstack": [LIBRARIES],
  "server/emulator": ["server/contracts", LIBRARIES],
  "server/kube": ["db", "server/contracts", "server/domain", "server/security", "server/log.ts", LIBRARIES],
  "server/metrics": ["db", "server/contracts", "server/domain", "server/log.ts", LIBRARIES],
  "server/auth": [
    "server/services",
    "server/contracts",
    "server/env.ts",
    "server/log.ts",
    "db/client.ts",
    LIBRARIES,
  ],
  "server/security": [LIBRARIES],
  "server/env.ts": [LIBRARIES],
  "server/log.ts": [LIBRARIES],
  db: ["server/contracts", LIBRARIES],
  // server/runtime/ (the process wiring) may import everything.
};

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      ".next/**",
      ".data/**",
      "node_modules/**",
      "db/migrations/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      "cli/api-types.ts",
    ],
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    // Layering (see README "Architecture"): routes and UI never touch the database directly.
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    ignores: ["components/trpc/server.ts"],
    rules: {
      // The typescript-eslint version of the rule: it can tell type-only imports apart.
      "no-restricted-imports": "off",
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/db", "@/db/*", "@/server/services/*", "@/server/openstack/*"],
              message: "UI and routes go through tRPC, never straight to db/ or services/.",
            },
            {
              // Values from domain/ would ship its data files (and ajv) to the browser.
              group: ["@/server/domain", "@/server/domain/*", "**/server/domain", "**/server/domain/*"],
              allowTypeImports: true,
              message:
                "Catalog data and checks reach the UI through tRPC (catalog.*) or RSC props; import only types from server/domain.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["server/**/*.{ts,tsx}", "db/**/*.ts"],
    ignores: ["**/*.test.ts", "server/testing/**", "db/testing/**", "db/migrations/**"],
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: Object.entries(SERVER_LAYERS).map(([layer, allowed]) => ({
            target: `./${layer}`,
            from: ".",
            except: [`./${layer}`, ...allowed.map((a) => `./${a}`)],
            message: `${layer} may import only ${allowed.join(", ")} (README "Architecture").`,
          })),
        },
      ],
    },
  },
  {
    // Raw SQL lives in db/ and server/metrics/; services make no HTTP calls and read no environment.
    files: ["server/**/*.{ts,tsx}"],
    ignores: ["**/*.test.ts", "server/testing/**", "server/metrics/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "drizzle-orm",
              importNames: ["sql"],
              message: "Raw SQL belongs in db/ (e.g. db/sql.ts) or server/metrics/.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["server/services/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-globals": [
        "error",
        {
          name: "fetch",
          message: "Services make no HTTP calls: use the cloud adapter or the emulator's admin client.",
        },
      ],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Configuration comes from server/env.ts." },
      ],
    },
  },
];

export default config;
