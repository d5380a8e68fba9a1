/**
 * `npm run api:types`: regenerates cli/api-types.ts — the CLI's HTTP types —
 * from the REST API's OpenAPI document (server/api/rest/openapi.ts) with
 * openapi-typescript. A unit test fails when the committed file is stale.
 */
import { writeFileSync } from "node:fs";
import { renderApiTypes } from "./render-api-types";

writeFileSync("cli/api-types.ts", await renderApiTypes());
console.log("wrote cli/api-types.ts");
