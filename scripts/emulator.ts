/**
 * `npm run emulator`: the built-in OpenStack emulator on its own, for
 * standard OpenStack clients. Prints its Keystone URL and credentials.
 */
import path from "node:path";
import { startLocalEmulator } from "@/server/runtime/emulator";

const dataDir = path.resolve(process.env.CONSOLE_DATA_DIR ?? ".data");
const emu = await startLocalEmulator(dataDir, {
  log: process.env.EMULATOR_LOG ? (l) => console.log(l) : undefined,
});

console.log(`
  OpenStack emulator ready (speed ×${emu.engine.speed}; state in ${path.join(dataDir, "emulator")})

  Keystone:   ${emu.authUrl}
  Admin key:  ${emu.adminKey}   (header X-Emulator-Admin-Key, for ${emu.url}/_emulator/…)

  For the openstack CLI (python3-openstackclient, python3-octaviaclient):

    export OS_AUTH_URL=${emu.authUrl}
    export OS_IDENTITY_API_VERSION=3
    export OS_USERNAME=${emu.demo.userName}
    export OS_PASSWORD=${emu.demo.password}
    export OS_PROJECT_NAME=${emu.demo.projectName}
    export OS_USER_DOMAIN_NAME=Default
    export OS_PROJECT_DOMAIN_NAME=Default
    export OS_REGION_NAME=RegionOne

  or an application credential:

    export OS_AUTH_TYPE=v3applicationcredential
    export OS_APPLICATION_CREDENTIAL_ID=${emu.demo.appCredentialId}
    export OS_APPLICATION_CREDENTIAL_SECRET=${emu.demo.appCredentialSecret}

  Ctrl-C to stop.
`);

const stop = async () => {
  await emu.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
