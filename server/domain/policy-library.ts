/**
 * The Gatekeeper constraint templates every cluster gets (the pod-security
 * family, allowed repositories, required labels, NodePort services,
 * container limits) and the constraints pre-configured from them. The Rego
 * is the console team's own; the parameters follow the gatekeeper-library
 * conventions so constraints written for it keep working.
 */

export type JsonSchema = Record<string, unknown>;

export interface LibraryTemplate {
  kind: string;
  title: string;
  family: "Pod security" | "Images" | "Metadata" | "Networking" | "Resources";
  /** What a constraint of this template prevents. */
  description: string;
  /** The kinds a new constraint matches by default. */
  matchKinds: Array<{ apiGroups: string[]; kinds: string[] }>;
  /** spec.crd.spec.validation.openAPIV3Schema */
  parameters: JsonSchema;
  /** Parameters a new constraint starts with in the editor. */
  exampleParameters: Record<string, unknown>;
  rego: string;
}

const PODS = [{ apiGroups: [""], kinds: ["Pod"] }];
const strings = { type: "array", items: { type: "string" } };

/** Shared helpers every pod-security template's Rego starts with. */
const CONTAINERS = `
input_containers[c] { c := input.review.object.spec.containers[_] }
input_containers[c] { c := input.review.object.spec.initContainers[_] }
input_containers[c] { c := input.review.object.spec.ephemeralContainers[_] }`;

const rego = (pkg: string, body: string) => `package ${pkg}\n${body.trim()}\n${CONTAINERS.trim()}\n`;

export const LIBRARY: LibraryTemplate[] = [
  {
    kind: "K8sPSPPrivilegedContainer",
    title: "Privileged containers",
    family: "Pod security",
    description:
      "Blocks privileged containers: a privileged container has every capability and the host's devices, so a compromise of it is a compromise of the node.",
    matchKinds: PODS,
    parameters: {
      type: "object",
      properties: {
        exemptImages: { ...strings, description: "Images (prefix* allowed) that may run privileged" },
      },
    },
    exampleParameters: {},
    rego: rego(
      "k8spspprivileged",
      `
violation[{"msg": msg}] {
  c := input_containers[_]
  c.securityContext.privileged
  not exempt(c.image)
  msg := sprintf("Privileged container is not allowed: %v", [c.name])
}
exempt(img) { e := input.parameters.exemptImages[_]; endswith(e, "*"); startswith(img, trim_suffix(e, "*")) }
exempt(img) { input.parameters.exemptImages[_] == img }`,
    ),
  },
  {
    kind: "K8sPSPHostNamespace",
    title: "Host PID and IPC namespaces",
    family: "Pod security",
    description:
      "Blocks pods that share the host's process (hostPID) or IPC (hostIPC) namespace, which lets them see and signal every process on the node.",
    matchKinds: PODS,
    parameters: { type: "object", properties: {} },
    exampleParameters: {},
    rego: rego(
      "k8spsphostnamespace",
      `
violation[{"msg": msg}] {
  input.review.object.spec.hostPID
  msg := "Sharing the host PID namespace is not allowed"
}
violation[{"msg": msg}] {
  input.review.object.spec.hostIPC
  msg := "Sharing the host IPC namespace is not allowed"
}`,
    ),
  },
  {
    kind: "K8sPSPHostNetworkingPorts",
    title: "Host network and ports",
    family: "Pod security",
    description:
      "Blocks pods on the host network and host ports outside an allowed range: such pods bypass network policies and can bind the node's addresses.",
    matchKinds: PODS,
    parameters: {
      type: "object",
      properties: {
        hostNetwork: { type: "boolean", description: "Allow hostNetwork: true" },
        min: { type: "integer", minimum: 0, maximum: 65535 },
        max: { type: "integer", minimum: 0, maximum: 65535 },
      },
    },
    exampleParameters: { hostNetwork: false, min: 0, max: 0 },
    rego: rego(
      "k8spsphostnetworkingports",
      `
violation[{"msg": msg}] {
  input.review.object.spec.hostNetwork
  not input.parameters.hostNetwork
  msg := "The host network is not allowed"
}
violation[{"msg": msg}] {
  p := input_containers[_].ports[_].hostPort
  not port_allowed(p)
  msg := sprintf("Host port %v is outside the allowed range", [p])
}
port_allowed(p) { p >= input.parameters.min; p <= input.parameters.max }`,
    ),
  },
  {
    kind: "K8sPSPHostFilesystem",
    title: "Host filesystem paths",
    family: "Pod security",
    description:
      "Restricts hostPath volumes to allowed path prefixes (read-only where required): a hostPath volume exposes the node's files, credentials and sockets.",
    matchKinds: PODS,
    parameters: {
      type: "object",
      properties: {
        allowedHostPaths: {
          type: "array",
          items: {
            type: "object",
            properties: { pathPrefix: { type: "string" }, readOnly: { type: "boolean" } },
            required: ["pathPrefix"],
          },
        },
      },
    },
    exampleParameters: { allowedHostPaths: [] },
    rego: rego(
      "k8spsphostfilesystem",
      `
violation[{"msg": msg}] {
  v := input.review.object.spec.volumes[_]
  v.hostPath
  not allowed(v.hostPath.path)
  msg := sprintf("hostPath %v is not allowed", [v.hostPath.path])
}
allowed(path) { a := input.parameters.allowedHostPaths[_]; startswith(path, a.pathPrefix) }`,
    ),
  },
  {
    kind: "K8sPSPAllowPrivilegeEscalationContainer",
    title: "Privilege escalation",
    family: "Pod security",
    description:
      "Requires allowPrivilegeEscalation: false, so a process cannot gain more privileges than its parent (setuid binaries, file capabilities).",
    matchKinds: PODS,
    parameters: { type: "object", properties: { exemptImages: strings } },
    exampleParameters: {},
    rego: rego(
      "k8spspallowprivilegeescalationcontainer",
      `
violation[{"msg": msg}] {
  c := input_containers[_]
  not c.securityContext.allowPrivilegeEscalation == false
  msg := sprintf("Privilege escalation is not allowed: set allowPrivilegeEscalation: false in %v", [c.name])
}`,
    ),
  },
  {
    kind: "K8sPSPProcMount",
    title: "/proc mount type",
    family: "Pod security",
    description:
      "Allows only the Default /proc mount, which masks sensitive paths; Unmasked exposes the host's kernel interfaces to the container.",
    matchKinds: PODS,
    parameters: {
      type: "object",
      properties: { procMount: { type: "string", enum: ["Default", "Unmasked"] } },
    },
    exampleParameters: { procMount: "Default" },
    rego: rego(
      "k8spspprocmount",
      `
violation[{"msg": msg}] {
  c := input_containers[_]
  m := object.get(c, ["securityContext", "procMount"], "Default")
  m != input.parameters.procMount
  msg := sprintf("procMount %v is not allowed in %v", [m, c.name])
}`,
    ),
  },
  {
    kind: "K8sPSPCapabilities",
    title: "Linux capabilities",
    family: "Pod security",
    description:
      "Limits the Linux capabilities containers may add, and names capabilities they must drop (e.g. NET_RAW against ARP spoofing).",
    matchKinds: PODS,
    parameters: {
      type: "object",
      properties: { allowedCapabilities: strings, requiredDropCapabilities: strings },
    },
    exampleParameters: { allowedCapabilities: ["NET_BIND_SERVICE"], requiredDropCapabilities: [] },
    rego: rego(
      "k8spspcapabilities",
      `
violation[{"msg": msg}] {
  c := input_containers[_]
  cap := c.securityContext.capabilities.add[_]
  not allowed_cap(cap)
  msg := sprintf("Capability %v is not allowed in %v", [cap, c.name])
}
violation[{"msg": msg}] {
  c := input_containers[_]
  need := input.parameters.requiredDropCapabilities[_]
  not dropped(c, need)
  msg := sprintf("%v must drop %v", [c.name, need])
}
allowed_cap(cap) { input.parameters.allowedCapabilities[_] == cap }
allowed_cap(_) { input.parameters.allowedCapabilities[_] == "*" }
dropped(c, cap) { c.securityContext.capabilities.drop[_] == cap }
dropped(c, _) { c.securityContext.capabilities.drop[_] == "ALL" }`,
    ),
  },
  {
    kind: "K8sPSPAppArmor",
    title: "AppArmor profiles",
    family: "Pod security",
    description:
      "Allows only listed AppArmor profiles. A container with no profile runs under the container runtime's default, counted as runtime/default.",
    matchKinds: PODS,
    parameters: { type: "object", properties: { allowedProfiles: strings } },
    exampleParameters: { allowedProfiles: ["runtime/default"] },
    rego: rego(
      "k8spspapparmor",
      `
violation[{"msg": msg}] {
  c := input_containers[_]
  p := profile(c)
  not allowed(p)
  msg := sprintf("AppArmor profile %v is not allowed in %v", [p, c.name])
}
profile(c) = p {
  p := input.review.object.metadata.annotations[sprintf("container.apparmor.security.beta.kubernetes.io/%v", [c.name])]
} else = "runtime/default"
allowed(p) { input.parameters.allowedProfiles[_] == p }`,
    ),
  },
  {
    kind: "K8sPSPSELinuxV2",
    title: "SELinux options",
    family: "Pod security",
    description:
      "Allows only listed SELinux user/role/type/level combinations, so a container cannot pick a label that grants it the host's access.",
    matchKinds: PODS,
    parameters: {
      type: "object",
      properties: {
        allowedSELinuxOptions: {
          type: "array",
          items: {
            type: "object",
            properties: {
              level: { type: "string" },
              role: { type: "string" },
              type: { type: "string" },
              user: { type: "string" },
            },
          },
        },
      },
    },
    exampleParameters: { allowedSELinuxOptions: [] },
    rego: rego(
      "k8spspselinux",
      `
violation[{"msg": msg}] {
  c := input_containers[_]
  o := c.securityContext.seLinuxOptions
  not allowed(o)
  msg := sprintf("SELinux options %v are not allowed in %v", [o, c.name])
}
allowed(o) { a := input.parameters.allowedSELinuxOptions[_]; object.subset(a, o) }`,
    ),
  },
  {
    kind: "K8sPSPSeccomp",
    title: "Seccomp profiles",
    family: "Pod security",
    description:
      "Requires an allowed seccomp profile (RuntimeDefault by default); without one a container may make every system call the kernel offers.",
    matchKinds: PODS,
    parameters: { type: "object", properties: { allowedProfiles: strings } },
    exampleParameters: { allowedProfiles: ["RuntimeDefault", "Localhost"] },
    rego: rego(
      "k8spspseccomp",
      `
violation[{"msg": msg}] {
  c := input_containers[_]
  p := profile(c)
  not allowed(p)
  msg := sprintf("Seccomp profile %v is not allowed in %v", [p, c.name])
}
profile(c) = p { p := c.securityContext.seccompProfile.type }
  else = p { p := input.review.object.spec.securityContext.seccompProfile.type }
  else = "Unconfined"
allowed(p) { input.parameters.allowedProfiles[_] == p }`,
    ),
  },
  {
    kind: "K8sPSPReadOnlyRootFilesystem",
    title: "Read-only root filesystem",
    family: "Pod security",
    description:
      "Requires readOnlyRootFilesystem: true, so an attacker cannot drop tools or change binaries inside a running container.",
    matchKinds: PODS,
    parameters: { type: "object", properties: { exemptImages: strings } },
    exampleParameters: {},
    rego: rego(
      "k8spspreadonlyrootfilesystem",
      `
violation[{"msg": msg}] {
  c := input_containers[_]
  not c.securityContext.readOnlyRootFilesystem == true
  msg := sprintf("Only a read-only root filesystem is allowed: %v", [c.name])
}`,
    ),
  },
  {
    kind: "K8sAllowedRepos",
    title: "Allowed image repositories",
    family: "Images",
    description:
      "Allows images only from listed repository prefixes (e.g. your registry), so nobody runs an unvetted image from a public registry.",
    matchKinds: PODS,
    parameters: {
      type: "object",
      required: ["repos"],
      properties: {
        repos: { type: "array", minItems: 1, items: { type: "string", minLength: 1 } },
      },
    },
    exampleParameters: { repos: ["registry.k8s.io/", "ghcr.io/acme/"] },
    rego: rego(
      "k8sallowedrepos",
      `
violation[{"msg": msg}] {
  c := input_containers[_]
  not from_allowed(c.image)
  msg := sprintf("Container %v uses image %v, which is not from an allowed repository %v", [c.name, c.image, input.parameters.repos])
}
from_allowed(img) { startswith(img, input.parameters.repos[_]) }`,
    ),
  },
  {
    kind: "K8sRequiredLabels",
    title: "Required labels",
    family: "Metadata",
    description:
      "Requires labels (optionally matching a regular expression) on objects, e.g. an owner team on every pod, so cost and incidents can be attributed.",
    matchKinds: PODS,
    parameters: {
      type: "object",
      required: ["labels"],
      properties: {
        message: { type: "string" },
        labels: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            required: ["key"],
            properties: { key: { type: "string", minLength: 1 }, allowedRegex: { type: "string" } },
          },
        },
      },
    },
    exampleParameters: { labels: [{ key: "team" }] },
    rego: `package k8srequiredlabels
violation[{"msg": msg}] {
  need := input.parameters.labels[_].key
  not input.review.object.metadata.labels[need]
  msg := sprintf("Missing required label %v", [need])
}
violation[{"msg": msg}] {
  l := input.parameters.labels[_]
  l.allowedRegex
  v := input.review.object.metadata.labels[l.key]
  not regex.match(l.allowedRegex, v)
  msg := sprintf("Label %v=%v does not match %v", [l.key, v, l.allowedRegex])
}
`,
  },
  {
    kind: "K8sBlockNodePort",
    title: "NodePort services",
    family: "Networking",
    description:
      "Blocks Services of type NodePort, which open a port on every node's address and bypass the load balancer and its allowlists.",
    matchKinds: [{ apiGroups: [""], kinds: ["Service"] }],
    parameters: { type: "object", properties: {} },
    exampleParameters: {},
    rego: `package k8sblocknodeport
violation[{"msg": msg}] {
  input.review.kind.kind == "Service"
  input.review.object.spec.type == "NodePort"
  msg := "Services of type NodePort are not allowed"
}
`,
  },
  {
    kind: "K8sContainerLimits",
    title: "Container resource limits",
    family: "Resources",
    description:
      "Requires CPU and memory limits on every container, at most the given values, so one workload cannot starve its neighbours on a node.",
    matchKinds: PODS,
    parameters: {
      type: "object",
      required: ["cpu", "memory"],
      properties: {
        cpu: {
          type: "string",
          pattern: "^[0-9]+(\\.[0-9]+)?m?$",
          description: "Highest CPU limit, e.g. 2 or 500m",
        },
        memory: {
          type: "string",
          pattern: "^[0-9]+(Ki|Mi|Gi|Ti|k|M|G|T)?$",
          description: "Highest memory limit, e.g. 1Gi",
        },
      },
    },
    exampleParameters: { cpu: "2", memory: "2Gi" },
    rego: rego(
      "k8scontainerlimits",
      `
violation[{"msg": msg}] {
  c := input_containers[_]
  not c.resources.limits.cpu
  msg := sprintf("Container %v has no CPU limit", [c.name])
}
violation[{"msg": msg}] {
  c := input_containers[_]
  not c.resources.limits.memory
  msg := sprintf("Container %v has no memory limit", [c.name])
}
violation[{"msg": msg}] {
  c := input_containers[_]
  units.parse(c.resources.limits.cpu) > units.parse(input.parameters.cpu)
  msg := sprintf("Container %v CPU limit %v is above %v", [c.name, c.resources.limits.cpu, input.parameters.cpu])
}
violation[{"msg": msg}] {
  c := input_containers[_]
  units.parse_bytes(c.resources.limits.memory) > units.parse_bytes(input.parameters.memory)
  msg := sprintf("Container %v memory limit %v is above %v", [c.name, c.resources.limits.memory, input.parameters.memory])
}`,
    ),
  },
];

/** Namespaces the pre-configured constraints leave alone (the platform's own). */
export const SYSTEM_NAMESPACES = [
  "kube-system",
  "gatekeeper-system",
  "helm-controller",
  "tigera-operator",
  "calico-system",
];

/** The constraints every new cluster starts with: [name, template kind, enforcement, parameters]. */
export const PRECONFIGURED: Array<[string, string, "deny" | "dryrun" | "warn", Record<string, unknown>]> = [
  ["psp-privileged-containers", "K8sPSPPrivilegedContainer", "deny", {}],
  ["psp-host-namespaces", "K8sPSPHostNamespace", "deny", {}],
  ["psp-host-network-ports", "K8sPSPHostNetworkingPorts", "dryrun", { hostNetwork: false, min: 0, max: 0 }],
  ["psp-host-filesystem", "K8sPSPHostFilesystem", "dryrun", { allowedHostPaths: [] }],
  ["psp-privilege-escalation", "K8sPSPAllowPrivilegeEscalationContainer", "dryrun", {}],
  ["psp-proc-mount", "K8sPSPProcMount", "deny", { procMount: "Default" }],
  [
    "psp-capabilities",
    "K8sPSPCapabilities",
    "dryrun",
    { allowedCapabilities: ["NET_BIND_SERVICE", "CHOWN", "SETUID", "SETGID"], requiredDropCapabilities: [] },
  ],
  ["psp-apparmor", "K8sPSPAppArmor", "dryrun", { allowedProfiles: ["runtime/default"] }],
  ["psp-selinux", "K8sPSPSELinuxV2", "dryrun", { allowedSELinuxOptions: [] }],
  ["psp-seccomp", "K8sPSPSeccomp", "dryrun", { allowedProfiles: ["RuntimeDefault", "Localhost"] }],
  ["psp-readonly-root-filesystem", "K8sPSPReadOnlyRootFilesystem", "dryrun", {}],
  ["block-nodeport-services", "K8sBlockNodePort", "dryrun", {}],
];
