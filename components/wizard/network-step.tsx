"use client";

import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { useTRPC } from "@/components/trpc/client";
import { CheckboxField, FieldErrors, InputField, SelectField } from "@/components/ui/field";
import { ChoiceCard, Section, type StepProps } from "./parts";

export function NetworkStep({ spec, setSpec, err, projectId }: StepProps & { projectId: string }) {
  const trpc = useTRPC();
  const facts = useQuery(trpc.cloud.quotas.queryOptions({ projectId }));
  const networks = facts.data?.networks ?? [];
  const net = spec.network ?? { mode: "new" as const, cidr: "10.0.0.0/24" };
  const api = { public: spec.apiAccess?.public ?? true, allowedCidrs: spec.apiAccess?.allowedCidrs ?? [] };
  const chosen = net.mode === "existing" ? networks.find((n) => n.id === net.networkId) : undefined;
  const cni = spec.cni ?? "calico";
  const id = useId();
  return (
    <Section
      title="Network"
      description="Nodes live in a private network; only the API load balancer can have a public address."
    >
      <h3 id={`${id}-nodes`} className="text-sm font-medium text-fg">
        Node network
      </h3>
      <div role="radiogroup" aria-labelledby={`${id}-nodes`} className="grid grid-cols-2 gap-4">
        <ChoiceCard
          name="network-mode"
          title="New network"
          selected={net.mode === "new"}
          onSelect={() => setSpec({ ...spec, network: { mode: "new", cidr: "10.0.0.0/24" } })}
        >
          The console creates a network, subnet and router for this cluster, and removes them with it.
        </ChoiceCard>
        <ChoiceCard
          name="network-mode"
          title="Existing network"
          selected={net.mode === "existing"}
          onSelect={() =>
            setSpec({
              ...spec,
              network: {
                mode: "existing",
                networkId: networks[0]?.id ?? "",
                subnetId: networks[0]?.subnets[0]?.id ?? "",
              },
            })
          }
        >
          {networks.length > 0
            ? `One of this project's ${networks.length} network${networks.length === 1 ? "" : "s"}; it must already route to the internet.`
            : "This project has no networks of its own in the cloud yet."}
        </ChoiceCard>
      </div>
      <div className="space-y-1">
        <h3 id={`${id}-cni`} className="text-sm font-medium text-fg">
          Pod network
        </h3>
        <p id={`${id}-cni-hint`} className="text-sm text-muted">
          The plugin that connects the pods. Fixed at creation: it cannot be changed later.
        </p>
      </div>
      <div
        role="radiogroup"
        aria-labelledby={`${id}-cni`}
        aria-describedby={`${id}-cni-hint`}
        className="grid grid-cols-2 gap-4"
      >
        <ChoiceCard
          name="cni"
          title="Calico"
          selected={cni === "calico"}
          onSelect={() => setSpec({ ...spec, cni: "calico" })}
        >
          The default. VXLAN overlay with Kubernetes network policies.
        </ChoiceCard>
        <ChoiceCard
          name="cni"
          title="Cilium"
          selected={cni === "cilium"}
          onSelect={() => setSpec({ ...spec, cni: "cilium" })}
        >
          eBPF data path, with Kubernetes and Cilium network policies.
        </ChoiceCard>
      </div>
      {err("cni") && <FieldErrors messages={err("cni")!} />}
      <div className="grid grid-cols-3 gap-4">
        {net.mode === "new" ? (
          <InputField
            label="Node subnet"
            hint="Of the new network: /16 to /27, private."
            errors={err("network.cidr")}
            value={net.cidr ?? ""}
            onChange={(e) => setSpec({ ...spec, network: { mode: "new", cidr: e.target.value } })}
          />
        ) : (
          <>
            <SelectField
              label="Network"
              errors={err("network.networkId")}
              value={net.networkId}
              onChange={(e) => {
                const n = networks.find((x) => x.id === e.target.value);
                setSpec({
                  ...spec,
                  network: {
                    mode: "existing",
                    networkId: e.target.value,
                    subnetId: n?.subnets[0]?.id ?? "",
                  },
                });
              }}
            >
              {networks.length === 0 && <option value="">No networks</option>}
              {networks.map((n) => (
                <option key={n.id} value={n.id}>
                  {n.name || n.id}
                </option>
              ))}
            </SelectField>
            <SelectField
              label="Subnet"
              errors={err("network.subnetId")}
              value={net.subnetId}
              onChange={(e) =>
                setSpec({
                  ...spec,
                  network: { mode: "existing", networkId: net.networkId, subnetId: e.target.value },
                })
              }
            >
              {(chosen?.subnets ?? []).map((sb) => (
                <option key={sb.id} value={sb.id}>
                  {sb.name || sb.id} ({sb.cidr})
                </option>
              ))}
            </SelectField>
          </>
        )}
        <InputField
          label="Pod CIDR"
          hint="/20 or larger."
          errors={err("podCidr")}
          value={spec.podCidr ?? ""}
          onChange={(e) => setSpec({ ...spec, podCidr: e.target.value })}
        />
        <InputField
          label="Service CIDR"
          errors={err("serviceCidr")}
          value={spec.serviceCidr ?? ""}
          onChange={(e) => setSpec({ ...spec, serviceCidr: e.target.value })}
        />
      </div>
      <CheckboxField
        label="Public API endpoint (a floating IP on the API load balancer)"
        checked={api.public}
        onChange={(e) =>
          setSpec({
            ...spec,
            apiAccess: { public: e.target.checked, allowedCidrs: e.target.checked ? api.allowedCidrs : [] },
          })
        }
        className="size-4 accent-[var(--primary)]"
      />
      {api.public && (
        <InputField
          label="Allow the API only from (CIDRs, comma-separated; empty: from anywhere)"
          errors={err("apiAccess.allowedCidrs")}
          value={api.allowedCidrs.join(", ")}
          onChange={(e) =>
            setSpec({
              ...spec,
              apiAccess: {
                public: true,
                allowedCidrs: e.target.value
                  .split(",")
                  .map((x) => x.trim())
                  .filter(Boolean),
              },
            })
          }
          placeholder="203.0.113.0/24, 198.51.100.7/32"
        />
      )}
      {api.allowedCidrs.some((_, i) => err(`apiAccess.allowedCidrs.${i}`)) && (
        <FieldErrors
          messages={api.allowedCidrs.flatMap((_, i) => err(`apiAccess.allowedCidrs.${i}`) ?? [])}
        />
      )}
    </Section>
  );
}
