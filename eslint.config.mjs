import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

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
];

export default config;
