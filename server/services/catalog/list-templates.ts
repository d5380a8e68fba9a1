import { manifestYaml, templatesOf, type TemplateInfo } from "@/server/domain/policies";
import type { TemplatesInput } from "@/server/contracts/catalog";
import type { ProjectCall } from "../context";

/** Parsed templates by their YAML texts: the same text keeps the same schema object (compiled once). */
const parsed = new Map<string, Map<string, TemplateInfo>>();

export function templatesByKind(custom: readonly string[]): Map<string, TemplateInfo> {
  const key = custom.join("\n\u0000\n");
  let m = parsed.get(key);
  if (!m) {
    m = templatesOf({ templates: [...custom] });
    if (parsed.size >= 100) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, m);
  }
  return m;
}

/** A template as the UI lists it: its manifest already as YAML. */
export function templateViews(custom: readonly string[]) {
  return [...templatesByKind(custom).values()].map(({ manifest, ...t }) => ({
    ...t,
    manifestYaml: manifestYaml(manifest),
  }));
}

/** The library's templates and the cluster's own valid ones. */
export function listTemplates({ input }: ProjectCall<TemplatesInput>) {
  return templateViews(input.custom);
}
